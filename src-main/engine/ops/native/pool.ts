// The 2x2 VALID max-pool's gradient through oneDNN (native/dnnl/pool.cc): one call instead of
// max-pool.ts's exact route of 6-D transposes, comparisons and a cumsum (see pool.cc for why).
// Ties go to the first maximum in row-major order, as TensorFlow's (max-pool.test.ts holds both routes to it).
import type * as tf from '@tensorflow/tfjs-core'
import { nativeKernels, runNative } from './addon'

/** dL/dx of maxPool(x, 2, 2, 'valid') given dy, or null where oneDNN does not apply. */
export function nativeMaxPoolGradient(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D | null {
  const addon = nativeKernels(x, dy)
  if (!addon) return null
  const [dx] = runNative([x, dy], [x.shape], ([vx, vdy, vdx]) => addon.maxPoolBackward(vx, vdy, vdx, x.shape))
  return dx as tf.Tensor4D
}
