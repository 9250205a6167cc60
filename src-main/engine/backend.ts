// Picks the fastest tfjs backend that actually works on this machine and says
// why each faster one was skipped (the UI shows it next to every run).
import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
// tfjs-core registers no gradients by itself; the engine trains, so it needs all of them.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import type { GpuAdapterReport } from '../../src-shared/contract'
import type { BackendInfo, BackendPreference } from '../../src-shared/run-config'
import { unstoppable } from '../workers/worker-stop'
import { nativeStatus } from './ops/native/addon'

export type { BackendInfo, BackendPreference }

interface Candidate {
  /** Name shown to the user and accepted as a preference. */
  preference: Exclude<BackendPreference, 'auto'>
  /** Name tfjs registers the backend under. */
  tfName: string
  /** Loads the package that registers the backend; throws when it is not installed or, for webgpu, finds no usable adapter. */
  load?: (context: LoadContext) => Promise<GpuAdapterReport | void>
}

interface LoadContext {
  preference: BackendPreference
  options: InitBackendOptions
}

/** Dawn is a native addon with a GPU device behind it: one process loads it, the training worker. */
async function loadWebgpu({ preference, options }: LoadContext): Promise<GpuAdapterReport> {
  if (!options.webgpu) throw new Error('only the training worker loads webgpu; this process computes on the CPU')
  // Dawn's set-up must not be cut short by a stopping worker (workers/worker-stop.ts).
  return unstoppable(async () => {
    const { registerWebgpu } = await import('./webgpu/register')
    // 'auto' wants speed: a software adapter is slower than wasm. Asking for webgpu by name takes any adapter.
    return registerWebgpu(preference === 'webgpu')
  })
}

// Bare specifiers kept in variables so bundlers leave the optional packages alone.
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu'
const TFJS_NODE = '@tensorflow/tfjs-node'

const CHAIN: Candidate[] = [
  { preference: 'tensorflow-gpu', tfName: 'tensorflow', load: async () => void (await import(/* @vite-ignore */ TFJS_NODE_GPU)) },
  { preference: 'webgpu', tfName: 'webgpu', load: loadWebgpu },
  { preference: 'tensorflow', tfName: 'tensorflow', load: async () => void (await import(/* @vite-ignore */ TFJS_NODE)) },
  { preference: 'wasm', tfName: 'wasm' },
  { preference: 'cpu', tfName: 'cpu' },
]

interface InitBackendOptions {
  /** Folder (or URL prefix, ending in '/') holding tfjs-backend-wasm's .wasm files, when bundling moved them. */
  wasmPaths?: string
  /** Whether this process may load Dawn for the webgpu backend (the training worker, and tests); otherwise webgpu is skipped. */
  webgpu?: boolean
}

// Bundled builds lose the package-relative path tfjs-backend-wasm uses to
// find its .wasm files, so point at the installed package explicitly.
function wasmDistDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')
  return join(dirname(pkg), 'dist') + sep
}

function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.split('\n')[0].slice(0, 200)
}

/**
 * Sets the tfjs backend. 'auto' walks tensorflow-gpu -> webgpu (a hardware
 * adapter only) -> tensorflow -> wasm -> cpu and takes the first that loads; a
 * named preference is tried first and the chain continues after it if it
 * fails (the skip reason says why).
 */
export async function initBackend(preference: BackendPreference = 'auto', options: InitBackendOptions = {}): Promise<BackendInfo> {
  setWasmPaths(options.wasmPaths ?? wasmDistDir())
  const start = preference === 'auto' ? 0 : CHAIN.findIndex((c) => c.preference === preference)
  if (start < 0) throw new Error(`initBackend: unknown backend preference "${preference}"; use auto, tensorflow-gpu, webgpu, tensorflow, wasm or cpu`)
  const skipped: BackendInfo['skipped'] = CHAIN.slice(0, start).map((c) => ({
    name: c.preference,
    reason: `not tried: backend preference is "${preference}"`,
  }))
  for (const candidate of CHAIN.slice(start)) {
    try {
      const loaded = await candidate.load?.({ preference, options })
      // setBackend resolves to false (it does not throw) when initialisation fails.
      const ok = await tf.setBackend(candidate.tfName)
      if (!ok) throw new Error(`tf.setBackend('${candidate.tfName}') returned false`)
      await tf.ready()
      if (tf.getBackend() !== candidate.tfName) throw new Error(`tfjs stayed on "${tf.getBackend()}"`)
      const kernels = nativeStatus(candidate.tfName).detail
      return { name: candidate.preference, skipped, kernels, ...(loaded ? { adapter: loaded } : {}) }
    } catch (err) {
      skipped.push({ name: candidate.preference, reason: reasonOf(err) })
    }
  }
  throw new Error(`initBackend: no tfjs backend could start (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})`)
}
