import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { initBackend } from '../../backend'
import { onBackend, randomTensor, relativeError } from '../../testing/numerics'
import { nativeStatus } from './addon'
import { nativeAttend } from './attention'

beforeAll(async () => {
  await initBackend('wasm')
})

type Attend = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D
/** The batched formula, differentiated by tfjs itself. */
const reference: Attend = (q, k, v) => tf.matMul(tf.softmax(tf.matMul(q, k, false, true)) as tf.Tensor3D, v)
const native: Attend = (q, k, v) => {
  const y = nativeAttend(q, k, v)
  if (!y) throw new Error(`oneDNN attention did not apply: ${nativeStatus().detail}`)
  return y
}

/** Output and the three gradients of sum(attend(q, k, v) * r), r fixed and random. */
function outputAndGrads(attend: Attend, shapes: Record<'q' | 'k' | 'v' | 'y', number[]>) {
  return tf.tidy(() => {
    const [q, k, v, r] = [randomTensor(shapes.q, 1), randomTensor(shapes.k, 2), randomTensor(shapes.v, 3), randomTensor(shapes.y, 4)]
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => attend(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D)
    const [dq, dk, dv] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, b, c), r)))([q, k, v])
    return { y: f(q, k, v).dataSync(), dq: dq.dataSync(), dk: dk.dataSync(), dv: dv.dataSync() }
  })
}

describe.skipIf(!nativeStatus('wasm').active)('nativeAttend (oneDNN)', () => {
  // Pooled attention in miniature (M = N/4 keys, C/8 and C/2 wide), and a full map (M = N) with
  // wider scores (D = 8), where a softmax or a transposed stride gone wrong would show.
  const cases = [
    { name: 'pooled', dims: [3, 16, 4, 2, 8] },
    { name: 'full', dims: [2, 64, 64, 8, 16] },
  ]
  for (const backend of ['wasm', 'cpu'] as const) {
    test.each(cases)(
      `$name on ${backend}: output and the q, k, v gradients equal autodiff of the batched formula on cpu; tensors stay flat`,
      async ({ dims }) => {
        const [B, N, M, D, E] = dims
        const shapes = { q: [B, N, D], k: [B, M, D], v: [B, M, E], y: [B, N, E] }
        const expected = await onBackend('cpu', () => outputAndGrads(reference, shapes))
        const got = await onBackend(backend, () => {
          const before = tf.memory().numTensors
          const result = outputAndGrads(native, shapes)
          expect(tf.memory().numTensors).toBe(before)
          return result
        })
        for (const key of ['y', 'dq', 'dk', 'dv'] as const) expect(relativeError(got[key], expected[key]), key).toBeLessThan(1e-5)
      },
    )
  }
})
