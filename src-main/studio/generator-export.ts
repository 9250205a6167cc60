// Writes a run's generator as TF.js graph models in a one-shot worker
// (export/model/export-worker.ts): the main thread never loads tfjs.
import type { ExportCalls, ExportRequest } from '../export/model/export-contract'
import { spawnBundledWorker } from '../workers/bundled-worker'
import { connectWorker } from '../workers/rpc'
import { stopWorker } from '../workers/worker-stop'

export async function writeGeneratorInWorker(request: ExportRequest): Promise<string[]> {
  const worker = spawnBundledWorker('export-worker')
  try {
    return await connectWorker<ExportCalls>(worker, 'export worker').write(request)
  } finally {
    void stopWorker(worker)
  }
}
