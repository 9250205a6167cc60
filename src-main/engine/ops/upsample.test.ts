import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { initBackend } from '../backend'
import { checkGradients, variableOf } from '../testing/finite-differences'
import { onBackend, randomValues } from '../testing/numerics'
import { upsampleNearest2x } from './upsample'

beforeAll(async () => {
  await initBackend('wasm')
})

/** The issue's case: x [2, 2, 2, 1] -> [2, 4, 4, 1], loss sum(y * arange(32)). */
function issueGradient(upsample: (x: tf.Tensor4D) => tf.Tensor4D): number[] {
  return tf.tidy(() => {
    const dy = tf.reshape(tf.range(0, 32), [2, 4, 4, 1])
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1])
    return Array.from(
      tf
        .grad((t: tf.Tensor) => tf.sum(tf.mul(upsample(t as tf.Tensor4D), dy)))(x)
        .dataSync(),
    )
  })
}

for (const backend of ['wasm', 'cpu']) {
  describe(`upsampleNearest2x on ${backend}`, () => {
    test("the issue's batch of 2: dx = [10, 18, 42, 50, 74, 82, 106, 114]", async () => {
      expect(await onBackend(backend, () => issueGradient(upsampleNearest2x))).toEqual([10, 18, 42, 50, 74, 82, 106, 114])
    })

    test('output equals tf.image.resizeNearestNeighbor; the gradient equals finite differences, batch 3, 3 channels', async () => {
      await onBackend(backend, () => {
        const shape = [3, 2, 3, 3]
        const x = variableOf(randomValues(3 * 2 * 3 * 3, 31), shape)
        const x4 = x as tf.Tensor as tf.Tensor4D
        const same = tf.tidy(() =>
          tf
            .equal(upsampleNearest2x(x4), tf.image.resizeNearestNeighbor(x4, [4, 6]))
            .dataSync()
            .every((v) => v === 1),
        )
        expect(same).toBe(true)
        const before = tf.memory().numTensors
        expect(checkGradients(() => upsampleNearest2x(x4), { x }).worst).toBeLessThan(1e-3)
        expect(tf.memory().numTensors).toBe(before)
        x.dispose()
      })
    })
  })
}

test("tfjs-backend-cpu's own ResizeNearestNeighborGrad still mixes up the images of a batch (the reason for upsampleNearest2x; when this fails, upstream fixed it)", async () => {
  const dx = await onBackend('cpu', () => issueGradient((x) => tf.image.resizeNearestNeighbor(x, [4, 4])))
  expect(dx).toEqual([10, 18, 42, 50, 26, 34, 58, 66])
})
