import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { type RunConfig, buildRunConfig } from '../../../src-shared/run-config'
import { initBackend } from '../backend'
import { Rng } from '../../random'
import { randomValues } from '../testing/numerics'
import { Discriminator } from './discriminator'
import { Generator } from './generator'
import { discriminatorHinge, generatorHinge } from './hinge-loss'
import { type ForwardContext, ParamBuilder, ParamStore } from './params'

beforeAll(async () => {
  await initBackend('wasm')
})

const evalCtx = (store: ParamStore): ForwardContext => ({ store, training: false, updateSn: false, updateStats: false })

function small(overrides: Partial<RunConfig> = {}): RunConfig {
  return { ...buildRunConfig('quick', 'sagan', { gCh: 8, dCh: 8, numClasses: 4, channels: 3 }), ...overrides }
}

describe('generator and discriminator', () => {
  for (const [imageSize, channels, gAttention, dAttention] of [
    [32, 3, [32], [16]],
    [64, 1, [32], [32]],
    [128, 3, [64], [64]],
  ] as const) {
    test(`${imageSize} px, ${channels} channel(s): G makes [B, ${imageSize}, ${imageSize}, ${channels}] in [-1, 1], D one score per image`, () => {
      const config = small({ imageSize, channels, gAttention: [...gAttention], dAttention: [...dAttention] })
      const gs = new ParamStore('G')
      const ds = new ParamStore('D')
      const g = new Generator(new ParamBuilder(gs, new Rng(1)), config, true)
      const d = new Discriminator(new ParamBuilder(ds, new Rng(2)), config, true)
      tf.tidy(() => {
        const z = tf.tensor2d(randomValues(2 * config.zDim, 3), [2, config.zDim])
        const y = tf.tensor1d([0, 3], 'int32')
        const x = g.apply(z, y, { store: gs, training: true, updateSn: true, updateStats: true })
        expect(x.shape).toEqual([2, imageSize, imageSize, channels])
        const values = x.dataSync()
        expect(Math.max(...values)).toBeLessThanOrEqual(1)
        expect(Math.min(...values)).toBeGreaterThanOrEqual(-1)
        expect(d.apply(x, y, { store: ds, training: true, updateSn: true, updateStats: false }).shape).toEqual([2])
      })
      gs.dispose()
      ds.dispose()
    })
  }

  test('changing only the class changes the generated image', () => {
    const config = small()
    const store = new ParamStore('G')
    const g = new Generator(new ParamBuilder(store, new Rng(4)), config, true)
    // Give the class embeddings distinct values, as training would (orthogonal init already differs per class).
    const [a, b] = tf.tidy(() => {
      const z = tf.tensor2d(randomValues(config.zDim, 5), [1, config.zDim])
      return [0, 2].map((label) => g.apply(z, tf.tensor1d([label], 'int32'), evalCtx(store)).dataSync() as Float32Array)
    })
    const diff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)
    expect(diff).toBeGreaterThan(1e-3)
    store.dispose()
  })

  test('the projection term makes D score the same image differently per label; unconditional D has no label input', () => {
    for (const numClasses of [4, 0]) {
      const config = small({ numClasses })
      const store = new ParamStore('D')
      const d = new Discriminator(new ParamBuilder(store, new Rng(6)), config, true)
      const scores = tf.tidy(() => {
        const x = tf.tensor4d(randomValues(32 * 32 * 3, 7), [1, 32, 32, 3])
        const labels = numClasses > 0 ? [0, 1] : [0, 0]
        return labels.map((l) => d.apply(x, tf.tensor1d([l], 'int32'), evalCtx(store)).dataSync()[0])
      })
      if (numClasses > 0) expect(Math.abs(scores[0] - scores[1])).toBeGreaterThan(1e-4)
      else expect([...store.params.keys()].some((k) => k.startsWith('D.projection'))).toBe(false)
      store.dispose()
    }
  })

  test('the residual-instead-of-attention ablation puts a residual block where attention was', () => {
    const config = small({ attentionBlock: 'residual' })
    const store = new ParamStore('G')
    const g = new Generator(new ParamBuilder(store, new Rng(8)), config, true)
    expect(g.attention).toEqual([])
    expect([...store.params.keys()].some((k) => k.startsWith('G.residual32.conv1'))).toBe(true)
    store.dispose()
  })
})

describe('hinge loss', () => {
  test('matches hand-computed values', () => {
    const [real, fake, gen] = tf.tidy(() => {
      // real scores 2, 0.5, -1 -> relu(1-s): 0, 0.5, 2 -> mean 0.8333
      // fake scores -3, 0, 0.25 -> relu(1+s): 0, 1, 1.25 -> mean 0.75
      const h = discriminatorHinge(tf.tensor1d([2, 0.5, -1]), tf.tensor1d([-3, 0, 0.25]))
      return [h.real.dataSync()[0], h.fake.dataSync()[0], generatorHinge(tf.tensor1d([-3, 0, 0.25])).dataSync()[0]]
    })
    expect(real).toBeCloseTo(2.5 / 3, 6)
    expect(fake).toBeCloseTo(0.75, 6)
    expect(gen).toBeCloseTo(2.75 / 3, 6) // -mean(-3, 0, 0.25)
  })
})
