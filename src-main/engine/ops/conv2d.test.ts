import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { initBackend } from '../backend'
import { NATIVE_ROUTES, onNativeRoute } from '../testing/native-routes'
import { onBackend, randomTensor, relativeError } from '../testing/numerics'
import { conv2dSame } from './conv2d'
import { embed } from './embedding'

beforeAll(async () => {
  await initBackend('wasm')
})

/** Loss = sum(y * r) for a fixed random r, so every output position gets a distinct upstream gradient. */
function gradsOf(conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D, x: tf.Tensor4D, w: tf.Tensor4D, r: tf.Tensor) {
  return tf.tidy(() => {
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, w])
    return { y: conv(x, w).dataSync(), dx: dx.dataSync(), dw: dw.dataSync() }
  })
}

const reference = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, 1, 'same')

describe.each(NATIVE_ROUTES)('conv2dSame through $name', (route) => {
  for (const k of [1, 3]) {
    test.skipIf(route.skip)(`${k}x${k} output and both gradients equal tfjs's conv2d gradients computed on cpu`, async () => {
      const shapes = { x: [3, 6, 5, 4], w: [k, k, 4, 7], y: [3, 6, 5, 7] }
      const expected = await onBackend('cpu', () => {
        const [x, w, r] = [randomTensor(shapes.x, 1), randomTensor(shapes.w, 2), randomTensor(shapes.y, 3)]
        const g = gradsOf(reference, x as tf.Tensor4D, w as tf.Tensor4D, r)
        tf.dispose([x, w, r])
        return g
      })
      for (const backend of ['cpu', 'wasm']) {
        const got = await onNativeRoute(route, () =>
          onBackend(backend, () => {
            const [x, w, r] = [randomTensor(shapes.x, 1), randomTensor(shapes.w, 2), randomTensor(shapes.y, 3)]
            const g = gradsOf(conv2dSame, x as tf.Tensor4D, w as tf.Tensor4D, r)
            tf.dispose([x, w, r])
            return g
          }),
        )
        expect(relativeError(got.y, expected.y), `${backend} forward`).toBeLessThan(1e-5)
        expect(relativeError(got.dx, expected.dx), `${backend} dx`).toBeLessThan(1e-4)
        expect(relativeError(got.dw, expected.dw), `${backend} dw`).toBeLessThan(1e-4)
      }
    })
  }
})

test('without weight gradient the input gradient is unchanged and dw is zero', () => {
  const [x, w, r] = [randomTensor([2, 5, 5, 3], 5), randomTensor([3, 3, 3, 4], 6), randomTensor([2, 5, 5, 4], 7)] as tf.Tensor4D[]
  const grads = (weightGradient: boolean) =>
    tf.tidy(() =>
      tf
        .grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dSame(a as tf.Tensor4D, b as tf.Tensor4D, weightGradient), r)))([x, w])
        .map((g) => g.dataSync()),
    )
  const [dxFull] = grads(true)
  const [dx, dw] = grads(false)
  expect(Array.from(dx)).toEqual(Array.from(dxFull))
  expect(dw.every((v) => v === 0)).toBe(true)
  tf.dispose([x, w, r])
})

describe('embed', () => {
  test('equals a row lookup, and its table gradient counts each label (wasm has no gather gradient)', () => {
    const table = randomTensor([5, 3], 4) as tf.Tensor2D
    const labels = tf.tensor1d([4, 1, 4], 'int32')
    const got = embed(labels, table).arraySync()
    const rows = table.arraySync()
    expect(got).toEqual([rows[4], rows[1], rows[4]])
    const grad = tf
      .grad((t: tf.Tensor) => tf.sum(embed(labels, t as tf.Tensor2D)))(table)
      .arraySync()
    expect(grad).toEqual([
      [0, 0, 0],
      [1, 1, 1],
      [0, 0, 0],
      [0, 0, 0],
      [2, 2, 2],
    ])
    tf.dispose([table, labels])
  })
})
