// Helpers shared by the engine's numerics tests.
import * as tf from '@tensorflow/tfjs-core'
import { hash32 } from '../../random'

/** Deterministic values in (-1, 1) that are never 0, so no test passes on zeros. */
export function randomValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const u = hash32(seed, i) / 4294967296
    out[i] = (u < 0.5 ? -1 : 1) * (0.05 + Math.abs(u - 0.5) * 1.9)
  }
  return out
}

export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  )
}

/** max |a - b| over two arrays of the same length (pixels, floats). */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxDifference: lengths differ (${a.length} vs ${b.length})`)
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]))
  return max
}

/** max |a - b| / max(|b|max, tiny): one relative error for a whole array. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relativeError: lengths differ (${a.length} vs ${b.length})`)
  let diff = 0
  let scale = 1e-12
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]))
    scale = Math.max(scale, Math.abs(b[i]))
  }
  return diff / scale
}

/** Runs `body` on the named backend, then switches back to the one active before. */
export async function onBackend<T>(name: string, body: () => T | Promise<T>): Promise<T> {
  const before = tf.getBackend()
  if (!(await tf.setBackend(name))) throw new Error(`test could not switch to the ${name} backend`)
  try {
    return await body()
  } finally {
    await tf.setBackend(before)
  }
}
