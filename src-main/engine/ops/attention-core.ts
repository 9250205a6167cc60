// The attention product softmax(q k^T) v, image by image, for training on wasm.
// Why: tfjs-backend-wasm sends a matMul to XNNPACK only when it is a single
// untransposed 2D product; a batch or a transpose flag falls back to a scalar
// triple loop (0.3-2.6 GFLOP/s measured against 4-29 for XNNPACK on the same
// shapes). Here every product, forward and backward, is one image's 2D product
// with only the small operands (q, k, v: C/8 and C/2 wide) transposed; the
// [N, M] maps are never transposed or sliced (slicing a wasm tensor copies
// all of it). Gradients are hand-written and tested against autodiff.
import * as tf from '@tensorflow/tfjs-core'

/** x: [B, R, C] -> B tensors [R, C] (gather copies one image; slice would copy the whole tensor first). */
function images(x: tf.Tensor3D): tf.Tensor2D[] {
  return Array.from({ length: x.shape[0] }, (_, i) => tf.gather(x as tf.Tensor, i) as tf.Tensor2D)
}

const perImage = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [q, k, v, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc]
  const [qs, ks, vs] = [images(q), images(k), images(v)]
  const betas = qs.map((qi, i) => tf.tidy(() => tf.softmax(tf.matMul(qi, tf.transpose(ks[i]))) as tf.Tensor2D)) // [N, M] each
  const value = tf.stack(betas.map((beta, i) => tf.matMul(beta, vs[i]))) // [B, N, E]
  save([q, k, v, ...betas])
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
    const [sq, sk, sv, ...sBetas] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, ...tf.Tensor2D[]]
    const [qs2, ks2, vs2, dys] = [images(sq), images(sk), images(sv), images(dy as tf.Tensor3D)]
    const grads = sBetas.map((beta, i) =>
      tf.tidy(() => {
        const dBeta = tf.matMul(dys[i], tf.transpose(vs2[i])) // [N, E] x [E, M]
        const dLogits = tf.mul(beta, tf.sub(dBeta, tf.sum(tf.mul(dBeta, beta), -1, true))) // softmax backward
        return {
          dq: tf.matMul(dLogits, ks2[i]), // [N, M] x [M, D]
          dk: tf.transpose(tf.matMul(tf.transpose(qs2[i]), dLogits)), // ([D, N] x [N, M])^T
          dv: tf.transpose(tf.matMul(tf.transpose(dys[i]), beta)), // ([E, N] x [N, M])^T
        }
      }),
    )
    return [tf.stack(grads.map((g) => g.dq)), tf.stack(grads.map((g) => g.dk)), tf.stack(grads.map((g) => g.dv))]
  }
  return { value, gradFunc }
})

/** softmax over keys of q k^T, applied to v: q [B, N, D], k [B, M, D], v [B, M, E] -> [B, N, E]. */
export function attendPerImage(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  return perImage(q, k, v) as tf.Tensor3D
}
