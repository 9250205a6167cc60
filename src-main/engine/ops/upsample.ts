// Nearest-neighbour 2x upsampling (G's up-blocks) with a gradient of our own.
// Why: tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad indexes dy with the
// input's batch stride, so for batch >= 2 every image after the first gets
// another image's gradient (reproduction in docs/decisions.md). The forward
// stays tf.image.resizeNearestNeighbor (the exported graph model uses the same
// op); the backward sums each 2x2 block of dy with a reshape and a sum, exact everywhere.
import * as tf from '@tensorflow/tfjs-core'

/** dL/dx: output pixel (2i+di, 2j+dj) copies input (i, j), so dx[i, j] sums dy's 2x2 block. dy: [B, 2H, 2W, C] -> [B, H, W, C]. */
function upsampleGradient(dy: tf.Tensor4D): tf.Tensor4D {
  const [b, h2, w2, c] = dy.shape
  return tf.sum(tf.reshape(dy, [b, h2 / 2, 2, w2 / 2, 2, c]), [2, 4]) as tf.Tensor4D
}

const upsample = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor4D
  return {
    value: tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2]),
    gradFunc: (dy: tf.Tensor) => upsampleGradient(dy as tf.Tensor4D),
  }
})

/** x: [B, H, W, C] -> [B, 2H, 2W, C], nearest neighbour (each pixel becomes a 2x2 block). */
export function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  return upsample(x) as tf.Tensor4D
}
