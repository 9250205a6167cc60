// tfjs-core has no stop_gradient: an identity whose gradient is zero.
import * as tf from '@tensorflow/tfjs-core'

const stop = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }
})

export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stop(x) as T
}
