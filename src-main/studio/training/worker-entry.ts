// Finds the training worker: the built one next to the bundle, or, when the
// studio runs from TypeScript sources (tests), the .ts entry through tsx.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

export function spawnTrainingWorker(): Worker {
  const here = import.meta.url
  if (here.endsWith('.ts')) {
    const source = fileURLToPath(new URL('../../engine/worker/training-worker.ts', here))
    return new Worker(source, { execArgv: ['--import', 'tsx'] })
  }
  // Bundled code may sit in out/main/ or out/main/chunks/.
  for (const candidate of ['./training-worker.js', '../training-worker.js']) {
    const file = fileURLToPath(new URL(candidate, here))
    if (existsSync(file)) return new Worker(file)
  }
  throw new Error(`training worker not found next to ${fileURLToPath(here)}; run npm run build`)
}
