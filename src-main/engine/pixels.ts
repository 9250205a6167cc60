// The studio's one mapping from generator output to image bytes: the trainer's
// samples and an exported generator's re-imported samples go through it.
import * as tf from '@tensorflow/tfjs-core'

/** Text of the mapping, for files that describe it to other programs. */
export const PIXEL_MAPPING = 'uint8 = round(clip((x + 1) * 127.5, 0, 255))'

/** x: any shape, values in [-1, 1] -> int32 0..255, as PIXEL_MAPPING says. */
export function toPixelValues(x: tf.Tensor): tf.Tensor {
  return tf.cast(tf.round(tf.clipByValue(tf.mul(tf.add(x, 1), 127.5), 0, 255)), 'int32')
}
