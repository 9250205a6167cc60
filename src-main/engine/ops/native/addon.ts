// The engine's oneDNN kernels for the CPU backends (native/dnnl, an N-API addon built at install
// time where libdnnl-dev is present): convolutions (conv.ts), the attention product
// (attention.ts) and the max-pool's gradient (pool.ts). Why: inside wasm, XNNPACK runs the engine's 3x3 convolutions at 18-36 GFLOP/s on
// 128-bit SIMD and the attention's batched products fall to scalar loops; oneDNN, on the machine's
// own vector width, runs them at 60-100 (docs/performance.md, issue 18). Where the addon is
// missing or fails to load, the ops keep the backend's own kernels, and nativeStatus() says why.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import * as tf from '@tensorflow/tfjs-core'

const ADDON = join('native', 'dnnl', 'build', 'Release', 'sagan_dnnl.node')

/** Each function writes into its output arrays; see native/dnnl/*.cc for the operands. */
export interface DnnlKernels {
  /** dims [B, H, W, C, O, k]; kind 0 forward, 1 input gradient, 2 weight gradient. */
  conv(kind: number, a: Float32Array, b: Float32Array, out: Float32Array, dims: number[]): void
  /** dims [B, N, M, D, E]: q [B,N,D], k [B,M,D], v [B,M,E] -> y [B,N,E], beta [B,N,M]. */
  attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, y: Float32Array, beta: Float32Array, dims: number[]): void
  attentionBackward(
    dy: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    beta: Float32Array,
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    dims: number[],
  ): void
  /** dims [B, H, W, C]: x [B,H,W,C], dy [B,H/2,W/2,C] -> dx [B,H,W,C] of the 2x2 VALID max-pool. */
  maxPoolBackward(x: Float32Array, dy: Float32Array, dx: Float32Array, dims: number[]): void
}

export interface NativeStatus {
  active: boolean
  /** 'oneDNN (native/dnnl)' or why the backend's own kernels are used. */
  detail: string
}

// The source tree (src-main/engine/ops/native) and the bundle (out/main/chunks) sit three or four
// folders below the project root; walking up finds the addon from either.
function findAddon(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, ADDON))) return join(dir, ADDON)
    dir = dirname(dir)
  }
  return null
}

function loadAddon(): { addon: DnnlKernels | null; reason: string } {
  const path = findAddon()
  if (!path) return { addon: null, reason: `${ADDON} was not built (install libdnnl-dev, then npm run build:native)` }
  try {
    return { addon: createRequire(import.meta.url)(path) as DnnlKernels, reason: '' }
  } catch (err) {
    return { addon: null, reason: `${path} did not load: ${(err as Error).message}` }
  }
}

const loaded = loadAddon()

/** SAGAN_NATIVE=off keeps the backend's kernels, read at each call (benchmarks compare the two; tests cover both). */
function enabled(): boolean {
  return process.env.SAGAN_NATIVE !== 'off'
}

export function nativeStatus(backend: string = tf.getBackend()): NativeStatus {
  if (backend !== 'wasm' && backend !== 'cpu') return { active: false, detail: `the ${backend} backend's own kernels` }
  if (!loaded.addon) return { active: false, detail: `the ${backend} backend's own kernels: ${loaded.reason}` }
  if (!enabled()) return { active: false, detail: `the ${backend} backend's own kernels (SAGAN_NATIVE=off)` }
  return { active: true, detail: 'oneDNN (native/dnnl)' }
}

/** The addon where the current backend's ops should use it (float32 operands), else null. */
export function nativeKernels(...operands: tf.Tensor[]): DnnlKernels | null {
  return nativeStatus().active && operands.every((t) => t.dtype === 'float32') ? loaded.addon : null
}

/**
 * Runs a kernel that writes `shapes.length` float32 outputs from `inputs`. On wasm the operands and
 * the outputs are views of the backend's heap. Why: with each operand copied out (dataSync) and the
 * result copied back in (tf.tensor), oneDNN's 87-105 GFLOP/s in C++ came to about 65 in the engine.
 * Tensors of another backend (tests switch backends) and the cpu backend's are copied.
 */
export function runNative(inputs: tf.Tensor[], shapes: number[][], kernel: (views: Float32Array[]) => void): tf.Tensor[] {
  const wasm = tf.getBackend() === 'wasm' ? (tf.backend() as BackendWasm) : null
  if (wasm && inputs.every((t) => wasm.dataIdMap.has(t.dataId))) {
    const outs = shapes.map((shape) => wasm.makeOutput(shape, 'float32'))
    // Views are taken after the allocations: growing the heap detaches earlier ones.
    kernel([...inputs, ...outs].map((t) => wasm.typedArrayFromHeap(t) as Float32Array))
    return outs.map((out) => tf.engine().makeTensorFromTensorInfo(out))
  }
  const outs = shapes.map((shape) => new Float32Array(shape.reduce((n, d) => n * d, 1)))
  kernel([...inputs.map((t) => t.dataSync() as Float32Array), ...outs])
  return outs.map((out, i) => tf.tensor(out, shapes[i]))
}
