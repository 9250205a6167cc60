// Hinge loss (Lim & Ye; Miyato et al.), as in SAGAN.
import * as tf from '@tensorflow/tfjs-core'

/** D's two terms, each a scalar: E[relu(1 - D(x))] and E[relu(1 + D(G(z)))]. */
export function discriminatorHinge(realScores: tf.Tensor1D, fakeScores: tf.Tensor1D): { real: tf.Scalar; fake: tf.Scalar } {
  return {
    real: tf.mean(tf.relu(tf.sub(1, realScores))),
    fake: tf.mean(tf.relu(tf.add(1, fakeScores))),
  }
}

/** G's loss: -E[D(G(z))]. */
export function generatorHinge(fakeScores: tf.Tensor1D): tf.Scalar {
  return tf.neg(tf.mean(fakeScores)) as tf.Scalar
}
