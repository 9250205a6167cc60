import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { initBackend } from '../../backend'
import { type Attend, outputAndGrads, referenceAttend } from '../../testing/attention-reference'
import { onBackend, relativeError } from '../../testing/numerics'
import { nativeStatus } from './addon'
import { nativeAttend } from './attention'

beforeAll(async () => {
  await initBackend('wasm')
})

const native: Attend = (q, k, v) => {
  const y = nativeAttend(q, k, v)
  if (!y) throw new Error(`oneDNN attention did not apply: ${nativeStatus().detail}`)
  return y
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
        const expected = await onBackend('cpu', () => outputAndGrads(referenceAttend, shapes))
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
