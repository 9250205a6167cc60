import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { initBackend } from '../backend'
import { onBackend, randomTensor, relativeError } from '../testing/numerics'
import { attendPerImage } from './attention-core'

beforeAll(async () => {
  await initBackend('wasm')
})

type Attend = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D
/** The batched formula, differentiated by tfjs itself. */
const reference: Attend = (q, k, v) => tf.matMul(tf.softmax(tf.matMul(q, k, false, true)) as tf.Tensor3D, v)

/** Output and the three gradients of sum(attend(q, k, v) * r), r fixed and random. */
function outputAndGrads(attend: Attend, shapes: Record<'q' | 'k' | 'v' | 'y', number[]>) {
  return tf.tidy(() => {
    const [q, k, v, r] = [randomTensor(shapes.q, 1), randomTensor(shapes.k, 2), randomTensor(shapes.v, 3), randomTensor(shapes.y, 4)]
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => attend(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D)
    const [dq, dk, dv] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, b, c), r)))([q, k, v])
    return { y: f(q, k, v).dataSync(), dq: dq.dataSync(), dk: dk.dataSync(), dv: dv.dataSync() }
  })
}

describe('attendPerImage', () => {
  test('output and the q, k, v gradients equal autodiff of the batched formula on cpu; tensors stay flat', async () => {
    // G's pooled attention in miniature: N queries, M = N/4 keys, C/8 and C/2 wide.
    const [B, N, M, D, E] = [3, 16, 4, 2, 8]
    const shapes = { q: [B, N, D], k: [B, M, D], v: [B, M, E], y: [B, N, E] }
    const expected = await onBackend('cpu', () => outputAndGrads(reference, shapes))
    const before = tf.memory().numTensors
    const got = outputAndGrads(attendPerImage, shapes)
    expect(tf.memory().numTensors).toBe(before)
    for (const key of ['y', 'dq', 'dk', 'dv'] as const) expect(relativeError(got[key], expected[key]), key).toBeLessThan(1e-5)
  })
})
