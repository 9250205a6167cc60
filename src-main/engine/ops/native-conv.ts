// oneDNN convolutions for the CPU backends (native/dnnl-conv, an N-API addon built at install
// time where libdnnl-dev is present). Why: inside wasm, XNNPACK runs the engine's 3x3 convolutions
// at 18-36 GFLOP/s on 128-bit SIMD; oneDNN, on the machine's own vector width, at 60-100
// (docs/performance.md, issue 18). Where the addon is missing or fails to load, conv2dSame keeps
// the backend's own kernels, and nativeConvStatus() says why.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import * as tf from '@tensorflow/tfjs-core'

const ADDON = join('native', 'dnnl-conv', 'build', 'Release', 'dnnl_conv.node')
const FORWARD = 0
const BACKWARD_DATA = 1
const BACKWARD_WEIGHTS = 2

interface DnnlConv {
  /** Writes into out; dims [B, H, W, C, O, k]; see native/dnnl-conv/dnnl_conv.cc for the operands of each kind. */
  run(kind: number, a: Float32Array, b: Float32Array, out: Float32Array, dims: number[]): void
}

export interface NativeConvStatus {
  active: boolean
  /** 'oneDNN (native/dnnl-conv)' or why the backend's own kernels are used. */
  detail: string
}

// The source tree (src-main/engine/ops) and the bundle (out/main/chunks) both sit three folders
// below the project root; walking up finds the addon from either.
function findAddon(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, ADDON))) return join(dir, ADDON)
    dir = dirname(dir)
  }
  return null
}

function loadAddon(): { addon: DnnlConv | null; reason: string } {
  const path = findAddon()
  if (!path) return { addon: null, reason: `${ADDON} was not built (install libdnnl-dev, then npm run build:native)` }
  try {
    return { addon: createRequire(import.meta.url)(path) as DnnlConv, reason: '' }
  } catch (err) {
    return { addon: null, reason: `${path} did not load: ${(err as Error).message}` }
  }
}

const loaded = loadAddon()

/** SAGAN_NATIVE_CONV=off keeps the backend's kernels (benchmarks compare the two; tests cover both). */
function enabled(): boolean {
  return process.env.SAGAN_NATIVE_CONV !== 'off'
}

export function nativeConvStatus(backend: string = tf.getBackend()): NativeConvStatus {
  if (backend !== 'wasm' && backend !== 'cpu') return { active: false, detail: `the ${backend} backend's own kernels` }
  if (!loaded.addon) return { active: false, detail: `the ${backend} backend's own kernels: ${loaded.reason}` }
  if (!enabled()) return { active: false, detail: `the ${backend} backend's own kernels (SAGAN_NATIVE_CONV=off)` }
  return { active: true, detail: 'oneDNN (native/dnnl-conv)' }
}

// On wasm the operands and the result are views of the backend's heap. Why: with each operand
// copied out (dataSync) and the result copied back in (tf.tensor), oneDNN's 87-105 GFLOP/s in C++
// came to about 65 in the engine.
function run(kind: number, a: tf.Tensor, b: tf.Tensor, dims: number[], shape: number[]): tf.Tensor4D {
  const wasm = tf.getBackend() === 'wasm' ? (tf.backend() as BackendWasm) : null
  if (wasm && onHeap(wasm, a) && onHeap(wasm, b)) {
    const out = wasm.makeOutput(shape, 'float32')
    // Views are taken after the allocation: growing the heap detaches earlier ones.
    const view = (t: tf.TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array
    loaded.addon!.run(kind, view(a), view(b), view(out), dims)
    return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D
  }
  const out = new Float32Array(shape.reduce((n, d) => n * d, 1))
  loaded.addon!.run(kind, a.dataSync() as Float32Array, b.dataSync() as Float32Array, out, dims)
  return tf.tensor4d(out, shape as [number, number, number, number])
}

/** A tensor made on another backend (tests switch backends) is copied instead of viewed. */
function onHeap(wasm: BackendWasm, t: tf.Tensor): boolean {
  return wasm.dataIdMap.has(t.dataId)
}

// Same tape shape as conv2d.ts's op: inputs (x, w), gradFunc returns [dx, dw], dw zero when w is not trained.
function makeOp(weightGradient: boolean) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc]
    save([x, w])
    const [b, h, wd, c] = x.shape
    const [k, , , o] = w.shape
    const dims = [b, h, wd, c, o, k]
    const value = run(FORWARD, x, w, dims, [b, h, wd, o])
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D]
      const dx = run(BACKWARD_DATA, dy, sw, dims, sx.shape)
      const dw = weightGradient ? run(BACKWARD_WEIGHTS, sx, dy, dims, sw.shape) : tf.zerosLike(sw)
      return [dx, dw]
    }
    return { value, gradFunc }
  })
}
const withWeightGradient = makeOp(true)
const inputGradientOnly = makeOp(false)

/** conv2dSame through oneDNN, or null where it does not apply (see nativeConvStatus). */
export function nativeConv2dSame(x: tf.Tensor4D, w: tf.Tensor4D, weightGradient: boolean): tf.Tensor4D | null {
  if (!nativeConvStatus().active || x.dtype !== 'float32' || w.dtype !== 'float32') return null
  return (weightGradient ? withWeightGradient : inputGradientOnly)(x, w) as tf.Tensor4D
}
