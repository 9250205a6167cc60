import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { AUGMENT_OPS } from '../../../src-shared/run-config'
import { initBackend } from '../backend'
import { Rng } from '../../random'
import { checkGradients, variableOf } from '../testing/finite-differences'
import { onBackend, randomValues, relativeError } from '../testing/numerics'
import { type AugmentDraw, DRAWS_PER_IMAGE, diffAugment, drawAugmentations } from './diff-augment'

beforeAll(async () => {
  await initBackend('wasm')
})

const [B, S, C] = [3, 8, 3]

/** The reference code's formulas, pixel by pixel, float64. x: [B, S, S, C] flat. */
function naive(x: Float32Array, draws: AugmentDraw[]): Float64Array {
  const at = (b: number, i: number, j: number, c: number) => ((b * S + i) * S + j) * C + c
  const y = Float64Array.from(x)
  draws.forEach((d, b) => {
    for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) for (let c = 0; c < C; c++) y[at(b, i, j, c)] += d.brightness
    for (let i = 0; i < S; i++)
      for (let j = 0; j < S; j++) {
        let mean = 0
        for (let c = 0; c < C; c++) mean += y[at(b, i, j, c)] / C
        for (let c = 0; c < C; c++) y[at(b, i, j, c)] = (y[at(b, i, j, c)] - mean) * d.saturation + mean
      }
    let mean = 0
    for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) for (let c = 0; c < C; c++) mean += y[at(b, i, j, c)] / (S * S * C)
    for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) for (let c = 0; c < C; c++) y[at(b, i, j, c)] = (y[at(b, i, j, c)] - mean) * d.contrast + mean
  })
  const shifted = new Float64Array(y.length)
  draws.forEach((d, b) => {
    for (let i = 0; i < S; i++)
      for (let j = 0; j < S; j++) {
        const [si, sj] = [i + d.shiftRows, j + d.shiftCols]
        const inside = si >= 0 && si < S && sj >= 0 && sj < S
        const { top, left, size } = d.cutout
        const cut = i >= top && i < top + size && j >= left && j < left + size
        for (let c = 0; c < C; c++) shifted[at(b, i, j, c)] = inside && !cut ? y[at(b, si, sj, c)] : 0
      }
  })
  return shifted
}

for (const backend of ['wasm', 'cpu']) {
  describe(`diffAugment on ${backend}`, () => {
    test('equals the reference formulas computed pixel by pixel (colour, translation, cutout), batch 3', async () => {
      await onBackend(backend, () => {
        const draws = drawAugmentations(new Rng(5), B, S, AUGMENT_OPS, 1)
        expect(new Set(draws.map((d) => `${d.shiftRows},${d.shiftCols}`)).size).toBeGreaterThan(1) // the images differ
        const x = randomValues(B * S * S * C, 6)
        const got = tf.tidy(() => diffAugment(tf.tensor4d(x, [B, S, S, C]), draws, AUGMENT_OPS).dataSync())
        expect(relativeError(got, naive(x, draws))).toBeLessThan(1e-5)
      })
    })

    test('its gradient equals finite differences, so G learns through it; tensors stay flat', async () => {
      await onBackend(backend, () => {
        const draws = drawAugmentations(new Rng(7), B, S, AUGMENT_OPS, 1)
        const x = variableOf(randomValues(B * S * S * C, 8), [B, S, S, C])
        const before = tf.memory().numTensors
        expect(checkGradients(() => diffAugment(x as tf.Tensor as tf.Tensor4D, draws, AUGMENT_OPS), { x }).worst).toBeLessThan(1e-3)
        expect(tf.memory().numTensors).toBe(before)
        x.dispose()
      })
    })
  })
}

test('the same seed gives the same augmentation; another seed another one', () => {
  const x = tf.tensor4d(randomValues(B * S * S * C, 9), [B, S, S, C])
  const run = (seed: number) => tf.tidy(() => Array.from(diffAugment(x, drawAugmentations(new Rng(seed), B, S, AUGMENT_OPS, 1), AUGMENT_OPS).dataSync()))
  expect(run(3)).toEqual(run(3))
  expect(run(4)).not.toEqual(run(3))
  x.dispose()
})

test('the rng advances by the same amount whatever the ops and p (runs of one config stay aligned)', () => {
  for (const [ops, p] of [
    [AUGMENT_OPS, 1],
    [['cutout'], 0.3],
    [['color'], 0],
  ] as const) {
    const rng = new Rng(1)
    drawAugmentations(rng, 5, S, ops, p)
    expect(rng.getState().counter).toBe(5 * DRAWS_PER_IMAGE)
  }
})

test('p = 0 is the identity; p = 1 moves every image; ops not chosen stay identity', () => {
  const x = tf.tensor4d(randomValues(B * S * S * C, 10), [B, S, S, C])
  const none = tf.tidy(() => diffAugment(x, drawAugmentations(new Rng(2), B, S, AUGMENT_OPS, 0), AUGMENT_OPS).dataSync())
  expect(Array.from(none)).toEqual(Array.from(x.dataSync()))
  const draws = drawAugmentations(new Rng(2), 20, 32, ['translation'], 1)
  expect(draws.every((d) => d.brightness === 0 && d.saturation === 1 && d.contrast === 1 && d.cutout.size === 0)).toBe(true)
  expect(draws.every((d) => Math.abs(d.shiftRows) <= 4 && Math.abs(d.shiftCols) <= 4)).toBe(true) // 1/8 of 32
  expect(drawAugmentations(new Rng(2), 20, 32, ['cutout'], 1).every((d) => d.cutout.size === 16)).toBe(true) // 1/2 of 32
  x.dispose()
})
