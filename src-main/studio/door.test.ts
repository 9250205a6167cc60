// The door every face goes through: arguments checked before the service sees
// them, refusals as StudioErrors naming the option, the same for local calls.
import { afterEach, describe, expect, it } from 'vitest'
import { StudioError } from '../../src-shared/errors'
import { sampleRun, tempStudio, type TempStudio } from '../testing/studio-fixture'

let studio: TempStudio
afterEach(() => studio?.dispose())

describe('the studio door', () => {
  it('refuses bad arguments in process with a StudioError naming the call or the option, and changes nothing', async () => {
    studio = tempStudio()
    const run = studio.runs.create(sampleRun)
    const refused = studio.calls.renameRun(run.id, ' ')
    await expect(refused).rejects.toBeInstanceOf(StudioError)
    await expect(refused).rejects.toMatchObject({ code: 'invalid-argument', subject: 'renameRun' })
    await expect(studio.calls.evaluateCheckpoint(run.id, { samples: 0 })).rejects.toMatchObject({ code: 'invalid-argument', subject: 'samples' })
    await expect(studio.calls.writeModel('../../etc', '/tmp/x')).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringMatching(/^writeModel: /),
    })
    expect(studio.runs.get(run.id).name).toBe(sampleRun.name)
  })

  it("hands the service the schema's output, not what the caller sent", async () => {
    studio = tempStudio()
    const run = studio.runs.create(sampleRun)
    expect(await studio.calls.renameRun(run.id, '  trimmed by the schema  ')).toMatchObject({ name: 'trimmed by the schema' })
  })

  it('refuses to wait for a run that neither trains nor waits here, naming its status', async () => {
    studio = tempStudio()
    const run = studio.runs.create(sampleRun)
    await expect(studio.calls.waitForRun(run.id)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('is not training (it is created)'),
    })
  })
})
