// worker_threads entry (built to out/main/training-worker.js): a thin shell
// that passes messages to the TrainingSession, which does the work.
import { parentPort } from 'node:worker_threads'
import type { MainToWorker } from './messages'
import { TrainingSession } from './session'

if (!parentPort) throw new Error('training-worker.ts must run inside a worker_threads Worker')
const port = parentPort
const session = new TrainingSession((message, transfer) => port.postMessage(message, transfer ?? []))
port.on('message', (message: MainToWorker) => {
  void session.handle(message)
})
