// Test-only worker entry: one slow "native load" marked with unstoppable, its
// phase written to a shared word the test reads after the worker is gone.
import { workerData } from 'node:worker_threads'
import { unstoppable } from '../worker-stop'

const { phase, loadMs } = workerData as { phase: Int32Array; loadMs: number }
await unstoppable(async () => {
  Atomics.store(phase, 0, 1) // loading
  await new Promise((resolve) => setTimeout(resolve, loadMs))
  Atomics.store(phase, 0, 2) // loaded
})
// Stays alive, as a worker serving calls does.
setInterval(() => undefined, 1000)
