// Embedding lookup as oneHot x matMul.
// Why: tf.gather's gradient needs UnsortedSegmentSum, which tfjs-backend-wasm lacks.
import * as tf from '@tensorflow/tfjs-core'

/** labels: [B] int32, table: [numClasses, D] -> [B, D]. */
export function embed(labels: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  const oneHot = tf.cast(tf.oneHot(labels, table.shape[0]), 'float32') as tf.Tensor2D // [B, numClasses]
  return tf.matMul(oneHot, table)
}
