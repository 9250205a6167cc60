// Finds a built worker (out/main/<name>.js). tfjs ships ESM that plain Node
// cannot load (extension-less and directory imports), so workers always run
// from the bundle, where it was resolved at build time; code running from
// TypeScript sources (tests) uses the same bundle.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker, type WorkerOptions } from 'node:worker_threads'
import { useSurfacelessEgl } from '../engine/webgpu/adapter'
import { withStopFlag } from './worker-stop'

type BundledWorker = 'training-worker' | 'inspection-worker' | 'replica-worker' | 'evaluation-worker' | 'export-worker'

/** A worker from the bundle; end it with stopWorker (worker-stop.ts), not terminate. */
export function spawnBundledWorker(name: BundledWorker, options?: WorkerOptions): Worker {
  // Training and inspection may open a GPU through OpenGL ES, whose EGL reads the process environment.
  if (name === 'training-worker' || name === 'inspection-worker') useSurfacelessEgl()
  const candidates = [
    `./${name}.js`, // bundled entry in out/main/
    `../${name}.js`, // bundled chunk in out/main/chunks/
    `../../out/main/${name}.js`, // sources: src-main/workers/
  ]
  for (const candidate of candidates) {
    const file = fileURLToPath(new URL(candidate, import.meta.url))
    if (!existsSync(file)) continue
    const { workerData, register } = withStopFlag(options?.workerData)
    const worker = new Worker(file, { ...options, workerData })
    register(worker)
    return worker
  }
  throw new Error(`The ${name} is not built (out/main/${name}.js). Run \`npm run build\` first.`)
}
