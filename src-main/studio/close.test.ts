// Closing a studio: a backend probe still in flight is waited for, because the
// probe's worker loads Dawn and a worker torn down inside Dawn's start-up
// aborts the whole process (seen as a host dying by a signal on SIGTERM).
import { expect, it } from 'vitest'
import type { BackendReport } from '../../src-shared/contract'
import { tempStudio } from '../testing/studio-fixture'

it('waits for a backend probe in flight before it shuts down', async () => {
  let probeDone = false
  const studio = tempStudio({
    probeBackend: () =>
      new Promise<BackendReport>((resolve) =>
        setTimeout(() => {
          probeDone = true
          resolve({ name: 'cpu', skipped: [] })
        }, 300),
      ),
  })
  const info = studio.calls.getAppInfo().catch(() => undefined)
  await studio.dispose()
  expect(probeDone).toBe(true)
  await info
})
