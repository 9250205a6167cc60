// All-reduce as a differentiable tfjs op. y = sum over replicas of x; every
// replica's loss depends on y, so dL/dx is the sum over replicas of dL_r/dy:
// the gradient of an all-reduce is an all-reduce. Synchronous (dataSync), as
// the wasm and cpu backends are.
import * as tf from '@tensorflow/tfjs-core'
import type { Collective } from './collective'

function reduceTensor(x: tf.Tensor, collective: Collective): tf.Tensor {
  return tf.tensor(collective.allReduceSum(x.dataSync() as Float32Array), x.shape)
}

/** x: any shape, float32 -> the element-wise sum of every replica's x (same shape). */
export function allReduceSum<T extends tf.Tensor>(x: T, collective: Collective): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: reduceTensor(args[0] as tf.Tensor, collective),
    gradFunc: (dy: tf.Tensor) => reduceTensor(dy, collective),
  }))
  return op(x) as T
}
