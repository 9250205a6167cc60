import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { initBackend } from '../backend'
import { checkGradients, variableOf, windowsOfEverySign } from '../testing/finite-differences'
import { NATIVE_ROUTES, onNativeRoute } from '../testing/native-routes'
import { onBackend } from '../testing/numerics'
import { maxPool2x2 } from './max-pool'

beforeAll(async () => {
  await initBackend('wasm')
})

/** d sum(pool(x) * dy) / dx for x [B, H, W, C] given as a flat list. */
function poolGradient(pool: (x: tf.Tensor4D) => tf.Tensor4D, x: number[], shape: [number, number, number, number], dy?: number[]): number[] {
  return tf.tidy(() => {
    const upstream = dy ? tf.tensor(dy) : null
    const loss = (t: tf.Tensor) => {
      const y = pool(t as tf.Tensor4D)
      return tf.sum(upstream ? tf.mul(y, tf.reshape(upstream, y.shape)) : y)
    }
    return Array.from(tf.grad(loss)(tf.tensor4d(x, shape)).dataSync())
  })
}

// Every backend and gradient route: oneDNN's (where native/dnnl is built) and the exact ops'.
const cases = ['wasm', 'cpu'].flatMap((backend) => NATIVE_ROUTES.map((route) => ({ backend, route })))

describe.each(cases)('maxPool2x2 on $backend, gradient through $route.name', ({ backend, route }) => {
  const on = <T>(fn: () => T) => onNativeRoute(route, () => onBackend(backend, fn))
  const it = test.skipIf(route.skip)

  it("the issue's all-negative window sends the gradient to its maximum, -9: dx = [0, 1, 0, 0]", async () => {
    const dx = await on(() => poolGradient(maxPool2x2, [-27, -9, -24, -43], [1, 2, 2, 1]))
    expect(dx).toEqual([0, 1, 0, 0])
  })

  it('output equals tf.maxPool; the gradient equals finite differences on negative, mixed and positive windows, batch 2', async () => {
    await on(() => {
      const values = Array.from(windowsOfEverySign([2, 4, 4, 2]))
      const x = variableOf(values, [2, 4, 4, 2])
      const same = tf.tidy(() =>
        tf
          .equal(maxPool2x2(x as tf.Tensor as tf.Tensor4D), tf.maxPool(x as tf.Tensor as tf.Tensor4D, 2, 2, 'valid'))
          .dataSync()
          .every((v) => v === 1),
      )
      expect(same).toBe(true)
      const check = checkGradients(() => maxPool2x2(x as tf.Tensor as tf.Tensor4D), { x })
      expect(check.worst).toBeLessThan(1e-3)
      x.dispose()
    })
  })

  it('ties: the whole gradient goes to the first maximum in row-major order (as TensorFlow)', async () => {
    // Two windows side by side: [2, 2 / 1, 0] and [-3, -1 / -1, -5], upstream gradients 1 and 10.
    const x = [2, 2, -3, -1, 1, 0, -1, -5]
    const dx = await on(() => poolGradient(maxPool2x2, x, [1, 2, 4, 1], [1, 10]))
    expect(dx).toEqual([1, 0, 0, 10, 0, 0, 0, 0])
  })

  it('tensors stay flat over forward and backward', async () => {
    await on(() => {
      const before = tf.memory().numTensors
      poolGradient(maxPool2x2, Array.from(windowsOfEverySign([2, 4, 4, 2])), [2, 4, 4, 2])
      expect(tf.memory().numTensors).toBe(before)
    })
  })
})

test("tfjs-backend-wasm's own MaxPoolGrad still misroutes the all-negative window (the reason for maxPool2x2; when this fails, upstream fixed it)", async () => {
  const dx = await onBackend('wasm', () => poolGradient((x) => tf.maxPool(x, 2, 2, 'valid'), [-27, -9, -24, -43], [1, 2, 2, 1]))
  expect(dx).toEqual([1, 0, 0, 0])
})

test('odd sides are refused with the shape', () => {
  expect(() => maxPool2x2(tf.zeros([1, 3, 4, 1]) as tf.Tensor4D)).toThrow(/3x4/)
})
