import { afterEach, describe, expect, it } from 'vitest'
import { connectStudio } from '../../src-shared/rpc-client'
import { RunConfigSchema } from '../../src-shared/run-config'
import { LOCAL_CALL_NAMES } from '../../src-shared/contract'
import type { RunSummary } from '../../src-shared/runs'
import { memoryPipe } from '../testing/memory-pipe'
import { sampleRun, tempStudio, type TempStudio } from '../testing/studio-fixture'
import { exposeStudio } from './expose'

let studio: TempStudio
afterEach(() => studio?.dispose())

function connect(events: { runUpdated?: (r: RunSummary) => void; runDeleted?: (id: string) => void } = {}) {
  studio = tempStudio()
  const [serverEnd, clientEnd] = memoryPipe()
  exposeStudio(studio.calls, studio.events, serverEnd)
  return connectStudio(clientEnd, events)
}

describe('contract over an in-memory pipe', () => {
  it('round-trips calls to the real service and its SQLite file', async () => {
    const client = connect()
    const run = studio.runs.create(sampleRun)
    const listed = await client.listRuns()
    expect(listed.map((r) => r.id)).toEqual([run.id])
    const detail = await client.getRun(run.id)
    expect(detail.config).toEqual(RunConfigSchema.parse({ steps: 10 }))
    const info = await client.getAppInfo()
    expect(info.dataDir).toBe(studio.dataDir)
    expect(info.backend.name).toMatch(/wasm|cpu|tensorflow/)
  })

  it('pushes runUpdated and runDeleted events to the UI', async () => {
    const updated: RunSummary[] = []
    const deleted: string[] = []
    const client = connect({ runUpdated: (r) => updated.push(r), runDeleted: (id) => deleted.push(id) })
    const run = studio.runs.create(sampleRun)
    await client.renameRun(run.id, 'better name')
    await client.deleteRun(run.id)
    await new Promise((r) => setTimeout(r, 10))
    expect(updated.map((r) => r.name)).toEqual(['better name'])
    expect(deleted).toEqual([run.id])
  })

  it.each([
    ['a wrong type', 'renameRun', [42, 'x'], /renameRun.*string/s],
    ['a missing field', 'renameRun', ['abcdef123456'], /renameRun/],
    ['an oversized string', 'renameRun', ['abcdef123456', 'x'.repeat(201)], /renameRun.*200/s],
    ['an empty name', 'renameRun', ['abcdef123456', '   '], /cannot be empty/],
    ['a malformed run id', 'getRun', ['../../etc/passwd'], /run id/],
    ['an unknown query key', 'listRuns', [{ sort: 'name', drop: 'table' }], /listRuns/],
    ['an unknown sort key', 'listRuns', [{ sort: 'id; DROP TABLE runs' }], /listRuns/],
  ])('refuses %s with a clear error and changes nothing', async (_what, call, args, message) => {
    const client = connect()
    const run = studio.runs.create(sampleRun)
    const fn = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[call]
    await expect(fn(...args)).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(message) })
    expect(studio.runs.list()).toEqual([run])
  })

  it('reports an unknown run id as not found, naming the id', async () => {
    const client = connect()
    await expect(client.deleteRun('abcdef123456')).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('abcdef123456'),
    })
  })

  it('refuses the folder dialog where there is no native one', async () => {
    const client = connect()
    await expect(client.pickFolder()).rejects.toMatchObject({ code: 'unsupported' })
  })

  it('answers an unknown call with a code and a message instead of an empty error', async () => {
    studio = tempStudio()
    const [serverEnd, clientEnd] = memoryPipe()
    exposeStudio(studio.calls, studio.events, serverEnd)
    const answer = new Promise<unknown>((resolve) => clientEnd.on((m) => resolve(m)))
    await clientEnd.post({ t: 'q', i: 'u1', m: 'formatDisk', a: [] })
    expect(await answer).toMatchObject({ t: 's', i: 'u1', e: { code: 'not-found', message: expect.stringContaining('Unknown call "formatDisk"') } })
  })

  it.each(LOCAL_CALL_NAMES)('never lets a page make the local call %s: the door has it, the wire does not', async (name) => {
    studio = tempStudio()
    const run = studio.runs.create(sampleRun)
    const [serverEnd, clientEnd] = memoryPipe()
    exposeStudio(studio.calls, studio.events, serverEnd)
    const answer = new Promise<unknown>((resolve) => clientEnd.on((m) => resolve(m)))
    await clientEnd.post({ t: 'q', i: 'l1', m: name, a: [run.id, studio.dataDir] })
    expect(await answer).toMatchObject({ t: 's', i: 'l1', e: { code: 'not-found', message: expect.stringContaining(`Unknown call "${name}"`) } })
    expect(typeof studio.calls[name]).toBe('function')
  })
})
