import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { initBackend } from '../backend'
import { outputAndGrads, referenceAttend } from '../testing/attention-reference'
import { onBackend, relativeError } from '../testing/numerics'
import { attendPerImage } from './attention-core'

beforeAll(async () => {
  await initBackend('wasm')
})

describe('attendPerImage', () => {
  test('output and the q, k, v gradients equal autodiff of the batched formula on cpu; tensors stay flat', async () => {
    // G's pooled attention in miniature: N queries, M = N/4 keys, C/8 and C/2 wide.
    const [B, N, M, D, E] = [3, 16, 4, 2, 8]
    const shapes = { q: [B, N, D], k: [B, M, D], v: [B, M, E], y: [B, N, E] }
    const expected = await onBackend('cpu', () => outputAndGrads(referenceAttend, shapes))
    const before = tf.memory().numTensors
    const got = outputAndGrads(attendPerImage, shapes)
    expect(tf.memory().numTensors).toBe(before)
    for (const key of ['y', 'dq', 'dk', 'dv'] as const) expect(relativeError(got[key], expected[key]), key).toBeLessThan(1e-5)
  })
})
