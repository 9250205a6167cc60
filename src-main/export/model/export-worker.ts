// worker_threads entry (built to out/main/export-worker.js): writes one
// generator export and exits, so baking the weights with tfjs never runs on
// the main process's thread. workerData: { dir, input, backend }.
import { parentPort, workerData } from 'node:worker_threads'
import type { BackendPreference } from '../../../src-shared/run-config'
import { initBackend } from '../../engine/backend'
import { type GeneratorExportInput, writeGeneratorModel } from './write-generator'

export interface ExportWorkerData {
  dir: string
  input: GeneratorExportInput
  backend: BackendPreference
}

export type ExportWorkerReply = { ok: true; files: string[] } | { ok: false; message: string }

if (!parentPort) throw new Error('export-worker.ts must run inside a worker_threads Worker')
const port = parentPort
const { dir, input, backend } = workerData as ExportWorkerData
const reply = (m: ExportWorkerReply) => port.postMessage(m)

initBackend(backend)
  .then(() => writeGeneratorModel(dir, input))
  .then(({ files }) => reply({ ok: true, files }), (err: unknown) => reply({ ok: false, message: err instanceof Error ? err.message : String(err) }))
