// worker_threads entry (built to out/main/training-worker.js): a thin shell
// that passes messages to the TrainingSession, which does the work, and lets
// it start data-parallel replicas (out/main/replica-worker.js).
import { parentPort } from 'node:worker_threads'
import type { MainToWorker } from './messages'
import { spawnBundledWorker } from './bundled-worker'
import { TrainingSession } from './session'

if (!parentPort) throw new Error('training-worker.ts must run inside a worker_threads Worker')
const port = parentPort
const session = new TrainingSession((message, transfer) => port.postMessage(message, transfer ?? []), {
  spawnReplica: (init) => spawnBundledWorker('replica-worker', { workerData: init }),
})
port.on('message', (message: MainToWorker) => {
  void session.handle(message)
})
