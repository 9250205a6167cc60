// What the attention routes (attention-core.ts, native/attention.ts) are tested against: the
// batched formula, differentiated by tfjs itself.
import * as tf from '@tensorflow/tfjs-core'
import { randomTensor } from './numerics'

export type Attend = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D

/** softmax(q k^T) v in tfjs's batched ops. */
export const referenceAttend: Attend = (q, k, v) => tf.matMul(tf.softmax(tf.matMul(q, k, false, true)) as tf.Tensor3D, v)

/** Output and the three gradients of sum(attend(q, k, v) * r), inputs and r fixed and random. */
export function outputAndGrads(attend: Attend, shapes: Record<'q' | 'k' | 'v' | 'y', number[]>) {
  return tf.tidy(() => {
    const [q, k, v, r] = [randomTensor(shapes.q, 1), randomTensor(shapes.k, 2), randomTensor(shapes.v, 3), randomTensor(shapes.y, 4)]
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => attend(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D)
    const [dq, dk, dv] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, b, c), r)))([q, k, v])
    return { y: f(q, k, v).dataSync(), dq: dq.dataSync(), dk: dk.dataSync(), dv: dv.dataSync() }
  })
}
