// conv2dSame through oneDNN (native/dnnl/conv.cc): forward, input gradient and weight gradient in
// tfjs's NHWC / HWIO layouts, one call each (see addon.ts for why and when).
import * as tf from '@tensorflow/tfjs-core'
import { type DnnlKernels, nativeKernels, runNative } from './addon'

const FORWARD = 0
const BACKWARD_DATA = 1
const BACKWARD_WEIGHTS = 2

function conv(addon: DnnlKernels, kind: number, a: tf.Tensor, b: tf.Tensor, dims: number[], shape: number[]): tf.Tensor4D {
  const [out] = runNative([a, b], [shape], ([va, vb, vout]) => addon.conv(kind, va, vb, vout, dims))
  return out as tf.Tensor4D
}

// Same tape shape as conv2d.ts's op: inputs (x, w), gradFunc returns [dx, dw], dw zero when w is not trained.
function makeOp(addon: DnnlKernels, weightGradient: boolean) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc]
    save([x, w])
    const [b, h, wd, c] = x.shape
    const [k, , , o] = w.shape
    const dims = [b, h, wd, c, o, k]
    const value = conv(addon, FORWARD, x, w, dims, [b, h, wd, o])
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D]
      const dx = conv(addon, BACKWARD_DATA, dy, sw, dims, sx.shape)
      const dw = weightGradient ? conv(addon, BACKWARD_WEIGHTS, sx, dy, dims, sw.shape) : tf.zerosLike(sw)
      return [dx, dw]
    }
    return { value, gradFunc }
  })
}

let ops: { withWeightGradient: ReturnType<typeof makeOp>; inputGradientOnly: ReturnType<typeof makeOp> } | null = null

/** conv2dSame through oneDNN, or null where it does not apply (see nativeStatus). */
export function nativeConv2dSame(x: tf.Tensor4D, w: tf.Tensor4D, weightGradient: boolean): tf.Tensor4D | null {
  const addon = nativeKernels(x, w)
  if (!addon) return null
  ops ??= { withWeightGradient: makeOp(addon, true), inputGradientOnly: makeOp(addon, false) }
  return (weightGradient ? ops.withWeightGradient : ops.inputGradientOnly)(x, w) as tf.Tensor4D
}
