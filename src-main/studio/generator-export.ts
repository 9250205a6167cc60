// Writes a run's generator as TF.js graph models in a one-shot worker
// (export/model/export-worker.ts): the main thread never loads tfjs.
import type { ExportWorkerData, ExportWorkerReply } from '../export/model/export-worker'
import { spawnBundledWorker } from '../engine/worker/bundled-worker'

export function writeGeneratorInWorker(data: ExportWorkerData): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = spawnBundledWorker('export-worker', { workerData: data })
    let answered = false
    worker.once('message', (reply: ExportWorkerReply) => {
      answered = true
      if (reply.ok) resolve(reply.files)
      else reject(new Error(reply.message))
      void worker.terminate()
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the export worker exited (code ${code}) before writing the generator`))
    })
  })
}
