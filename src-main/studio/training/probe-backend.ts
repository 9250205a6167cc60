// Which backend training would get, asked of a short-lived training worker:
// the main process loads neither tfjs nor Dawn (the webgpu addon opens a GPU
// device), and the worker is where runs train, so its answer is the true one.
import type { BackendReport } from '../../../src-shared/contract'
import type { MainToWorker, WorkerToMain } from '../../engine/worker/messages'
import { spawnBundledWorker } from '../../engine/worker/bundled-worker'

export async function probeBackendInWorker(): Promise<BackendReport> {
  const worker = spawnBundledWorker('training-worker')
  try {
    return await new Promise<BackendReport>((resolve, reject) => {
      worker.on('message', (m: WorkerToMain) => {
        if (m.type === 'backend') resolve(m.backend)
        else if (m.type === 'error') reject(new Error(`backend probe: ${m.message}`))
      })
      worker.once('error', reject)
      worker.once('exit', (code) => reject(new Error(`backend probe: the training worker exited (code ${code}) before answering`)))
      worker.postMessage({ type: 'probeBackend' } satisfies MainToWorker)
    })
  } finally {
    await worker.terminate()
  }
}
