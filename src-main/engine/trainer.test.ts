import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import type { RunConfig } from '../../src-shared/run-config'
import { initBackend } from './backend'
import { fashionMnistMissing, testImages } from '../testing/fashion-mnist'
import { TINY_DATA, tinyTrainerConfig } from './testing/tiny-run'
import { type Batch, SaganTrainer, type StepResult } from './trainer'

beforeAll(async () => {
  await initBackend('wasm')
})

// Tiny but complete: conditional, attention in G (32x32) and D (16x16), SN, EMA, flips, DiffAugment.
const data = TINY_DATA
const B = 4
const tinyConfig = (overrides: Partial<RunConfig> = {}): RunConfig =>
  tinyTrainerConfig({ gCh: 8, dCh: 8, batchSize: B, seed: 7, ema: { startStep: 3 }, ...overrides })

/** Deterministic batches: real Fashion-MNIST when installed, else a fixed pseudo-random pattern. */
const pool = testImages(48)
function batch(step: number): Batch {
  const start = (step * B) % 48
  return { images: pool.images.slice(start * 1024, (start + B) * 1024), labels: pool.labels.slice(start, start + B) }
}

function losses(r: StepResult): number[] {
  return [r.dLossReal, r.dLossFake, r.gLoss]
}

async function train(trainer: SaganTrainer, from: number, to: number): Promise<StepResult[]> {
  const out: StepResult[] = []
  for (let s = from; s < to; s++) out.push(await trainer.trainStep(batch(s)))
  return out
}

describe('SaganTrainer', () => {
  test('two trainers with the same seed produce the same first 20 losses, and tensors stay flat from step 5 to 20', async () => {
    const a = await SaganTrainer.create(tinyConfig(), data)
    const first = await train(a, 0, 5)
    const tensorsAt5 = tf.memory().numTensors
    first.push(...(await train(a, 5, 20)))
    expect(tf.memory().numTensors).toBe(tensorsAt5)
    a.dispose()

    const b = await SaganTrainer.create(tinyConfig(), data)
    const second = await train(b, 0, 20)
    b.dispose()
    expect(second.map(losses)).toEqual(first.map(losses))
    for (const r of first) for (const v of losses(r)) expect(Number.isFinite(v)).toBe(true)
    expect(first[19].step).toBe(20)
  })

  test('a different seed gives a different run', async () => {
    const a = await SaganTrainer.create(tinyConfig(), data)
    const b = await SaganTrainer.create(tinyConfig({ seed: 8 }), data)
    const [ra, rb] = [await a.trainStep(batch(0)), await b.trainStep(batch(0))]
    expect(losses(ra)).not.toEqual(losses(rb))
    a.dispose()
    b.dispose()
  })

  test('resuming from serialized state continues the same loss curve (train 6 == train 3, save, restore, train 3)', async () => {
    const whole = await SaganTrainer.create(tinyConfig(), data)
    const straight = await train(whole, 0, 6)
    const finalWhole = await whole.getState()
    whole.dispose()

    const firstHalf = await SaganTrainer.create(tinyConfig(), data)
    await train(firstHalf, 0, 3)
    const bytes = SaganTrainer.serializeState(await firstHalf.getState())
    firstHalf.dispose()
    const resumed = await SaganTrainer.restore(tinyConfig(), data, SaganTrainer.deserializeState(bytes))
    expect(resumed.completedSteps).toBe(3)
    const continued = await train(resumed, 3, 6)
    const finalResumed = await resumed.getState()
    resumed.dispose()

    continued.forEach((r, i) => {
      expect(r.step).toBe(straight[3 + i].step)
      losses(r).forEach((v, k) => expect(v).toBeCloseTo(losses(straight[3 + i])[k], 5))
    })
    expect(finalResumed.rng).toEqual(finalWhole.rng)
    expect(finalResumed.adamSteps).toEqual(finalWhole.adamSteps)
    expect(finalResumed.tensors.map((t) => t.name)).toEqual(finalWhole.tensors.map((t) => t.name))
    finalResumed.tensors.forEach((t, i) => {
      const ref = finalWhole.tensors[i].data
      const err = t.data.reduce((m, v, k) => Math.max(m, Math.abs(v - ref[k])), 0)
      expect(err, t.name).toBeLessThan(1e-5)
    })
  })

  test('adaptive augmentation: p moves by its ramp every adjustEvery steps, and a resumed run continues p, r_t and losses exactly', async () => {
    // target -1: r_t >= -1 always, so p rises by 2 steps x 4 images / 16 = 0.5 every second step.
    const config = tinyConfig({
      augment: { policy: 'diffaugment', ops: ['color', 'translation', 'cutout'], p: 1, adaptive: true, target: -1, adjustEvery: 2, rampImages: 16 },
    })
    const whole = await SaganTrainer.create(config, data)
    const straight = await train(whole, 0, 5)
    whole.dispose()
    expect(straight.map((r) => r.augmentP)).toEqual([0, 0.5, 0.5, 1, 1])
    for (const r of straight) expect(Math.abs(r.realSign)).toBeLessThanOrEqual(1)

    const firstHalf = await SaganTrainer.create(config, data)
    await train(firstHalf, 0, 3) // stops between two adjustments
    const bytes = SaganTrainer.serializeState(await firstHalf.getState())
    firstHalf.dispose()
    const resumed = await SaganTrainer.restore(config, data, SaganTrainer.deserializeState(bytes))
    const continued = await train(resumed, 3, 5)
    resumed.dispose()
    continued.forEach((r, i) => {
      expect(r.augmentP).toBe(straight[3 + i].augmentP)
      expect(r.realSign).toBe(straight[3 + i].realSign)
      losses(r).forEach((v, k) => expect(v).toBeCloseTo(losses(straight[3 + i])[k], 5))
    })
  })

  test('state round-trips through bytes and covers G, D, EMA, every u vector and both Adam states', async () => {
    const t = await SaganTrainer.create(tinyConfig(), data)
    await t.trainStep(batch(0))
    const state = await t.getState()
    t.dispose()
    const back = SaganTrainer.deserializeState(SaganTrainer.serializeState(state))
    expect(back.step).toBe(1)
    expect(back.rng).toEqual(state.rng)
    expect(back.tensors.length).toBe(state.tensors.length)
    back.tensors.forEach((x, i) => expect(Array.from(x.data)).toEqual(Array.from(state.tensors[i].data)))
    const parts = new Set(state.tensors.map((x) => x.name.split('/')[0]))
    expect([...parts].sort()).toEqual(['D', 'G', 'Gema', 'adamD.m', 'adamD.v', 'adamG.m', 'adamG.v'])
    expect(state.tensors.some((x) => x.name === 'D/D.attention16.key.w.u')).toBe(true)
    expect(state.tensors.some((x) => x.name.endsWith('runningVar'))).toBe(true)
    expect(() => SaganTrainer.deserializeState(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not a SAGAN Studio checkpoint/)
  })

  test('a checkpoint from another config is refused with the mismatching tensor named', async () => {
    const t = await SaganTrainer.create(tinyConfig(), data)
    const state = await t.getState()
    t.dispose()
    await expect(SaganTrainer.restore(tinyConfig({ dCh: 16 }), data, state)).rejects.toThrow(/D\/D.block0.conv1.w is 3x3x1x32, the config builds 3x3x1x64/)
  })

  test('a NaN weight is reported by name and the step is undone', async () => {
    const t = await SaganTrainer.create(tinyConfig(), data)
    await t.trainStep(batch(0))
    const state = await t.getState()
    t.dispose()
    const poisoned = state.tensors.find((x) => x.name === 'D/D.linear.b')
    if (!poisoned) throw new Error('test setup: D/D.linear.b missing')
    poisoned.data[0] = Number.NaN
    const r = await SaganTrainer.restore(tinyConfig(), data, state)
    const result = await r.trainStep(batch(1))
    expect(result.nonFinite).toMatch(/^loss dLossReal/)
    expect(result.step).toBe(1)
    const after = await r.getState()
    expect(after.rng).toEqual(state.rng)
    expect(after.adamSteps).toEqual(state.adamSteps)
    after.tensors.forEach((x, i) => expect(Array.from(x.data), x.name).toEqual(Array.from(state.tensors[i].data)))
    r.dispose()
  })

  test('samples, fixed latents and the attention map have the documented shapes', async () => {
    const t = await SaganTrainer.create(tinyConfig(), data)
    await t.trainStep(batch(0))
    const { z, labels } = t.fixedLatents(2, 99)
    expect(Array.from(labels)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9])
    expect(t.fixedLatents(2, 99).z).toEqual(z)
    for (const weights of ['raw', 'ema'] as const) {
      const images = await t.sample(z, labels, weights)
      expect(images.length).toBe(20 * 32 * 32)
      expect(new Set(images).size).toBeGreaterThan(10)
    }
    const att = await t.attentionMap(z.subarray(0, 128), 3, { x: 31, y: 0 }, 'ema')
    expect([att.layer, att.variant, att.width, att.height]).toEqual(['G.attention32', 'pooled', 16, 16])
    expect(att.map.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4)
    t.dispose()
  })

  test(`a short real training run (batch 8, 2 D steps per G step) stays finite (${fashionMnistMissing('t10k') === null ? 'Fashion-MNIST, 48 images' : 'Fashion-MNIST missing: pseudo-random images'})`, async () => {
    const t = await SaganTrainer.create(tinyConfig({ batchSize: 8, nDis: 2 }), data)
    const batch8 = (i: number): Batch => ({
      images: pool.images.slice((i % 6) * 8192, ((i % 6) + 1) * 8192),
      labels: pool.labels.slice((i % 6) * 8, (i % 6) * 8 + 8),
    })
    for (let s = 0; s < 8; s++) {
      const r = await t.trainStep([batch8(2 * s), batch8(2 * s + 1)])
      expect(r.nonFinite).toBeUndefined()
      for (const v of losses(r)) expect(Number.isFinite(v)).toBe(true)
    }
    expect(t.completedSteps).toBe(8)
    for (const s of await t.spectralNorms()) expect(s.sigma).toBeGreaterThan(0)
    t.dispose()
  })
})
