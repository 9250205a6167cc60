// Stride-1 'same' conv2d with hand-written gradients.
// Why: tfjs-backend-wasm has no Conv2DBackpropFilter kernel, the cpu backend's
// one is pathologically slow, and wasm's Conv2DBackpropInput runs ~10x slower
// than a forward conv. Both gradients are rewritten as forward convs / matMuls,
// which every backend runs fast.
import * as tf from '@tensorflow/tfjs-core'
import { nativeConv2dSame } from './native/conv'

/**
 * dL/dW for y = conv2d(x, w, 1, 'same').
 * dW[di,dj,c,o] = sum_{b,i,j} xpad[b,i+di,j+dj,c] * dy[b,i,j,o], i.e. a VALID conv
 * of xpad with channels and batch swapped, using dy (batch as in-channels) as the filter.
 */
function kernelGradient(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape
  const o = dy.shape[3]
  if (k === 1) {
    // 1x1 kernel: one matMul over all positions. The explicit transpose is ~3x
    // faster on wasm than matMul's transposeA flag (measured, 16x32x32x64).
    const xm = tf.transpose(tf.reshape(x, [b * h * w, c])) // [C, BHW]
    const dym = tf.reshape(dy, [b * h * w, o]) // [BHW, O]
    return tf.reshape(tf.matMul(xm, dym), [1, 1, c, o])
  }
  const p = (k - 1) / 2
  const xpad = tf.pad(x, [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ])
  const xT = tf.transpose(xpad, [3, 1, 2, 0]) // [C, H+2p, W+2p, B]
  const filter = tf.transpose(dy, [1, 2, 0, 3]) // [H, W, B, O]
  const out = tf.conv2d(xT, filter, 1, 'valid') // [C, k, k, O]
  return tf.transpose(out, [1, 2, 0, 3]) // [k, k, C, O]
}

/** dL/dx: a 'same' conv of dy with the spatially flipped, in/out-swapped kernel. */
function inputGradient(dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) // [k, k, O, C]
  return tf.conv2d(dy, flipped, 1, 'same')
}

// The tape sees one op with inputs (x, w); gradFunc returns [dx, dw]. tfjs
// evaluates a custom gradient for every input, so the variant for passes whose
// weights are not trained (D inside G's update) returns a zero dw instead.
function makeOp(weightGradient: boolean) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc]
    save([x, w])
    const value = tf.conv2d(x, w, 1, 'same')
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D]
      const dw = weightGradient ? kernelGradient(sx, dy as tf.Tensor4D, sw.shape[0]) : tf.zerosLike(sw)
      return [inputGradient(dy as tf.Tensor4D, sw), dw]
    }
    return { value, gradFunc }
  })
}
const withWeightGradient = makeOp(true)
const inputGradientOnly = makeOp(false)

/**
 * x: [B, H, W, Cin], w: [k, k, Cin, Cout] (k odd) -> [B, H, W, Cout].
 * Forward is tf.conv2d(x, w, 1, 'same') (oneDNN's on wasm and cpu where it is built); gradients are custom (see file comment).
 * weightGradient false: dw comes back as zeros (cheaper when w is not trained).
 */
export function conv2dSame(x: tf.Tensor4D, w: tf.Tensor4D, weightGradient = true): tf.Tensor4D {
  const k = w.shape[0]
  if (k % 2 !== 1 || w.shape[1] !== k) throw new Error(`conv2dSame: kernel must be square and odd, got ${w.shape.join('x')}`)
  // webgpu has its own backprop kernels (equal to cpu's to 1e-6), written for the GPU; the rewrite
  // above would run dW as a conv whose filter is the whole image. The tape also skips dW by itself
  // where w is not trained, so plain autodiff covers both variants.
  if (tf.getBackend() === 'webgpu') return tf.conv2d(x, w, 1, 'same')
  // On wasm and cpu, oneDNN where the native addon was built (native/conv.ts).
  const native = nativeConv2dSame(x, w, weightGradient)
  if (native) return native
  return (weightGradient ? withWeightGradient : inputGradientOnly)(x, w) as tf.Tensor4D
}
