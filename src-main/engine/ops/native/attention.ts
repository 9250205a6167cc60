// The attention product softmax(q k^T) v through oneDNN (native/dnnl/attention.cc): one call for
// the forward (two batched matmuls and the softmax) and one for the backward (four matmuls and the
// softmax's gradient), the transposed operands read in place. Why: on wasm the image-by-image
// route (attention-core.ts) spends more time in gathers, stacks and transposes around XNNPACK than
// in the products (docs/performance.md, issue 18).
import * as tf from '@tensorflow/tfjs-core'
import { type DnnlKernels, nativeKernels, runNative } from './addon'

function makeOp(addon: DnnlKernels) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [q, k, v, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc]
    const [b, n, d] = q.shape
    const [, m, e] = v.shape
    const dims = [b, n, m, d, e]
    const [value, beta] = runNative(
      [q, k, v],
      [
        [b, n, e],
        [b, n, m],
      ],
      ([vq, vk, vv, vy, vbeta]) => addon.attentionForward(vq, vk, vv, vy, vbeta, dims),
    )
    save([q, k, v, beta])
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
      runNative([dy, ...saved], [q.shape, k.shape, v.shape], ([vdy, vq, vk, vv, vbeta, vdq, vdk, vdv]) =>
        addon.attentionBackward(vdy, vq, vk, vv, vbeta, vdq, vdk, vdv, dims),
      )
    return { value, gradFunc }
  })
}

let op: ReturnType<typeof makeOp> | null = null

/** q [B, N, D], k [B, M, D], v [B, M, E] -> softmax over keys of q k^T, times v: [B, N, E]; null where oneDNN does not apply. */
export function nativeAttend(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D | null {
  const addon = nativeKernels(q, k, v)
  if (!addon) return null
  op ??= makeOp(addon)
  return op(q, k, v) as tf.Tensor3D
}
