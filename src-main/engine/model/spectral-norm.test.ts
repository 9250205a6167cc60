import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { initBackend } from '../backend'
import { Rng } from '../../random'
import { onBackend, randomValues } from '../testing/numerics'
import { type ForwardContext, ParamBuilder, ParamStore } from './params'
import { SpectralNorm, spectralSigma, uNameOf } from './spectral-norm'

beforeAll(async () => {
  await initBackend('wasm')
})

/** Largest singular value of a rows x cols matrix: sqrt of the largest eigenvalue of W^T W by cyclic Jacobi, float64. */
function largestSingularValue(w: ArrayLike<number>, rows: number, cols: number): number {
  const a = Array.from({ length: cols }, (_, i) =>
    Array.from({ length: cols }, (_, j) => {
      let s = 0
      for (let r = 0; r < rows; r++) s += w[r * cols + i] * w[r * cols + j]
      return s
    }),
  )
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0
    for (let p = 0; p < cols; p++) for (let q = p + 1; q < cols; q++) off += a[p][q] ** 2
    if (off < 1e-24) break
    for (let p = 0; p < cols; p++) {
      for (let q = p + 1; q < cols; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < cols; k++) {
          const akp = a[k][p]
          const akq = a[k][q]
          a[k][p] = c * akp - s * akq
          a[k][q] = s * akp + c * akq
        }
        for (let k = 0; k < cols; k++) {
          const apk = a[p][k]
          const aqk = a[q][k]
          a[p][k] = c * apk - s * aqk
          a[q][k] = s * apk + c * aqk
        }
      }
    }
  }
  return Math.sqrt(Math.max(...a.map((row, i) => row[i])))
}

/** A conv weight [3, 3, 5, 6] with random (non-zero, non-orthogonal) values, viewed as [45, 6]. */
function convWeightStore(seed: number): { store: ParamStore; sn: SpectralNorm; values: Float32Array } {
  const store = new ParamStore('test')
  const sn = new SpectralNorm(new ParamBuilder(store, new Rng(seed)), 'conv.w', [3, 3, 5, 6])
  const values = randomValues(3 * 3 * 5 * 6, seed)
  store.params.set('conv.w', tf.variable(tf.tensor(values, [3, 3, 5, 6])))
  return { store, sn, values }
}

const trainingCtx = (store: ParamStore): ForwardContext => ({ store, training: true, updateSn: true, updateStats: false })

for (const backend of ['cpu', 'wasm']) {
  describe(`spectral norm on ${backend}`, () => {
    test('sigma converges to the largest singular value of an independent float64 eigen-solve (1e-3)', async () => {
      await onBackend(backend, () => {
        const { store, values } = convWeightStore(11)
        const expected = largestSingularValue(values, 45, 6)
        let sigma = 0
        for (let i = 0; i < 60; i++) sigma = tf.tidy(() => spectralSigma(store, 'conv.w', true).dataSync()[0])
        expect(Math.abs(sigma - expected) / expected).toBeLessThan(1e-3)
        store.dispose()
      })
    })

    test('the normalised weight has spectral norm 1 once u has converged', async () => {
      await onBackend(backend, () => {
        const { store, sn } = convWeightStore(12)
        for (let i = 0; i < 60; i++) tf.tidy(() => sn.weight(trainingCtx(store)))
        const normalised = tf.tidy(() => sn.weight(trainingCtx(store)).dataSync())
        expect(largestSingularValue(normalised, 45, 6)).toBeCloseTo(1, 3)
        store.dispose()
      })
    })

    test('u persists across training passes and stays put on evaluation passes', async () => {
      await onBackend(backend, () => {
        const { store, sn } = convWeightStore(13)
        const u = () => (store.buffer(uNameOf('conv.w')).dataSync() as Float32Array).slice()
        const before = u()
        tf.tidy(() => sn.weight({ ...trainingCtx(store), updateSn: false }))
        expect(u()).toEqual(before)
        tf.tidy(() => sn.weight(trainingCtx(store)))
        const once = u()
        expect(once).not.toEqual(before)
        // converged u is a fixed point: further passes barely move it
        for (let i = 0; i < 60; i++) tf.tidy(() => sn.weight(trainingCtx(store)))
        const late = u()
        tf.tidy(() => sn.weight(trainingCtx(store)))
        const drift = u().reduce((m, x, i) => Math.max(m, Math.abs(x - late[i])), 0)
        expect(drift).toBeLessThan(1e-4)
        store.dispose()
      })
    })

    test('sigma passes a gradient to the weight but none through u and v', async () => {
      await onBackend(backend, () => {
        const { store } = convWeightStore(14)
        for (let i = 0; i < 60; i++) tf.tidy(() => spectralSigma(store, 'conv.w', true))
        // d sigma / dW = v u^T for converged singular vectors: its own spectral norm is 1.
        const grad = tf.tidy(() => tf.variableGrads(() => spectralSigma(store, 'conv.w', false), [store.param('conv.w')]).grads)
        const g = Object.values(grad)[0]
        expect(largestSingularValue(g.dataSync(), 45, 6)).toBeCloseTo(1, 3)
        tf.dispose(Object.values(grad))
        store.dispose()
      })
    })
  })
}
