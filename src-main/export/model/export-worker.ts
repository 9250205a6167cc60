// worker_threads entry (built to out/main/export-worker.js): writes generator
// exports on its own thread, so baking the weights with tfjs never runs on
// the main process's.
import { parentPort } from 'node:worker_threads'
import { initBackend } from '../../engine/backend'
import { serve } from '../../workers/rpc'
import type { ExportCalls } from './export-contract'
import { writeGeneratorModel } from './write-generator'

if (!parentPort) throw new Error('export-worker.ts must run inside a worker_threads Worker')
serve<ExportCalls>(parentPort, () => ({
  write: async ({ dir, input, backend }) => {
    await initBackend(backend)
    return (await writeGeneratorModel(dir, input)).files
  },
}))
