// Which backend training would get, asked of a short-lived training worker:
// the main process loads neither tfjs nor Dawn (the webgpu addon opens a GPU
// device), and the worker is where runs train, so its answer is the true one.
import type { BackendReport } from '../../../src-shared/contract'
import type { TrainingCalls } from '../../engine/worker/training-contract'
import { spawnBundledWorker } from '../../workers/bundled-worker'
import { connectWorker } from '../../workers/rpc'
import { stopWorker } from '../../workers/worker-stop'

export async function probeBackendInWorker(): Promise<BackendReport> {
  const worker = spawnBundledWorker('training-worker')
  try {
    // A probe starts no run: the worker sends no events.
    return await connectWorker<TrainingCalls>(worker, 'training worker').probeBackend()
  } catch (err) {
    throw new Error(`backend probe: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  } finally {
    await stopWorker(worker)
  }
}
