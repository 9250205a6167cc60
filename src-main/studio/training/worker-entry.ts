// Finds the built training worker (out/main/training-worker.js). tfjs ships
// ESM that plain Node cannot load (extension-less and directory imports), so
// the worker always runs from the bundle, where it was resolved at build
// time; code running from TypeScript sources (tests) uses the same bundle.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

const CANDIDATES = [
  './training-worker.js', // bundled entry in out/main/
  '../training-worker.js', // bundled chunk in out/main/chunks/
  '../../../out/main/training-worker.js', // sources: src-main/studio/training/
]

export function spawnTrainingWorker(): Worker {
  for (const candidate of CANDIDATES) {
    const file = fileURLToPath(new URL(candidate, import.meta.url))
    if (existsSync(file)) return new Worker(file)
  }
  throw new Error('The training worker is not built (out/main/training-worker.js). Run `npm run build` first.')
}
