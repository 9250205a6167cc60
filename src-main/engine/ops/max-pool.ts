// 2x2 VALID max-pool (pooled attention's keys and values) with a gradient of our own.
// Why: tfjs-backend-wasm 4.22's MaxPoolGrad sends the whole gradient of a window
// to its top-left element when all four values are negative (reproduction in
// docs/decisions.md), so on wasm every attention gradient was wrong. The forward
// stays tf.maxPool (the exported graph model uses the same op); the backward is
// built from exact ops (reshape, transpose, max, equal, cumsum), correct on every backend, or is
// oneDNN's on wasm and cpu where the native addon is built (native/pool.ts).
import * as tf from '@tensorflow/tfjs-core'
import { nativeMaxPoolGradient } from './native/pool'

/** x: [B, H, W, C] -> [4, B*H/2*W/2*C]: the four elements of each window, top-left, top-right, bottom-left, bottom-right. */
function windows(x: tf.Tensor4D): tf.Tensor2D {
  const [b, h, w, c] = x.shape
  const split = tf.reshape(x, [b, h / 2, 2, w / 2, 2, c]) // [B, i, di, j, dj, C]
  return tf.reshape(tf.transpose(split, [2, 4, 0, 1, 3, 5]), [4, -1]) // [di*2+dj, (B, i, j, C)]
}

/** Inverse of windows: [4, B*H/2*W/2*C] -> [B, H, W, C]. */
function fromWindows(x4: tf.Tensor2D, shape: [number, number, number, number]): tf.Tensor4D {
  const [b, h, w, c] = shape
  const split = tf.reshape(x4, [2, 2, b, h / 2, w / 2, c]) // [di, dj, B, i, j, C]
  return tf.reshape(tf.transpose(split, [2, 3, 0, 4, 1, 5]), shape) // [B, i, di, j, dj, C]
}

/**
 * dL/dx: each window's upstream gradient goes to its largest element; on ties
 * to the first in row-major order (as TensorFlow's MaxPoolGrad and tfjs-backend-cpu).
 */
function maxPoolGradient(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  const x4 = windows(x)
  const isMax = tf.cast(tf.equal(x4, tf.max(x4, 0)), 'float32') // [4, N]
  const first = tf.mul(isMax, tf.cast(tf.equal(tf.cumsum(isMax, 0, true), 0), 'float32')) // no max before it
  return fromWindows(tf.mul(first, tf.reshape(dy, [1, -1])), x.shape)
}

const pool = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor4D, tf.GradSaveFunc]
  save([x])
  return {
    value: tf.maxPool(x, 2, 2, 'valid'),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sdy] = [saved[0] as tf.Tensor4D, dy as tf.Tensor4D]
      return nativeMaxPoolGradient(sx, sdy) ?? maxPoolGradient(sx, sdy)
    },
  }
})

/** x: [B, H, W, C] (H, W even) -> [B, H/2, W/2, C], the maximum of each 2x2 window. */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape
  if (h % 2 !== 0 || w % 2 !== 0) throw new Error(`maxPool2x2: height and width must be even, got ${h}x${w}`)
  return pool(x) as tf.Tensor4D
}
