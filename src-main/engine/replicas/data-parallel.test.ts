import * as tf from '@tensorflow/tfjs-core'
import { afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { RunConfig } from '../../../src-shared/run-config'
import { initBackend } from '../backend'
import { testImages } from '../../testing/fashion-mnist'
import { relativeError } from '../testing/numerics'
import { spawnReplicaFromSource } from '../testing/replica-from-source'
import { TINY_DATA, tinyTrainerConfig } from '../testing/tiny-run'
import { type Batch, SaganTrainer, type StepResult } from '../trainer'
import { planReplicas } from './replica-count'
import { ReplicaGroup, type SpawnReplica } from './replica-group'

beforeAll(async () => {
  await initBackend('wasm')
})

// Replicas are real worker threads on the TypeScript source (the app runs the bundled replica-worker.js).
const fromSource: SpawnReplica = spawnReplicaFromSource

// Conditional, attention in G and D, SN, conditional BN, EMA (decaying from step 1), flips, DiffAugment, two D steps.
const data = TINY_DATA
const B = 8
const config = (overrides: Partial<RunConfig> = {}): RunConfig => tinyTrainerConfig({ batchSize: B, seed: 11, nDis: 2, ...overrides })

const pool = testImages(64)
function batches(step: number): Batch[] {
  return [0, 1].map((k) => {
    const start = ((2 * step + k) * B) % 64
    return { images: pool.images.slice(start * 1024, (start + B) * 1024), labels: pool.labels.slice(start, start + B) }
  })
}

function losses(r: StepResult): number[] {
  return [r.dLossReal, r.dLossFake, r.gLoss]
}

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f()
})

async function group(trainer: SaganTrainer, spawn = fromSource): Promise<ReplicaGroup> {
  const g = await ReplicaGroup.start(trainer, 2, 'wasm', data, spawn)
  cleanup.push(() => g.dispose())
  return g
}

describe('data-parallel training', () => {
  test('two replicas on half batches compute the whole batch step: same losses and state as one trainer, replicas identical', async () => {
    // The 'full' attention variant: pooled attention's 2x2 max-pools send each window's gradient
    // to its largest element, and where two are equal up to rounding (flat regions of early fakes)
    // the two summation orders can pick different ones, which three steps of Adam amplify into
    // noise (measured: D within 7e-6 with 'full', 7e-3 with 'pooled' and oneDNN's attention).
    // The pool and its gradient are tested on their own (max-pool.test.ts).
    const unpooled = config({ attentionVariant: 'full' })
    const single = await SaganTrainer.create(unpooled, data)
    const primary = await SaganTrainer.create(unpooled, data)
    cleanup.push(
      () => single.dispose(),
      () => primary.dispose(),
    )
    const pair = await group(primary)

    const steps = 3
    const alone: StepResult[] = []
    const together: StepResult[] = []
    let tensorsAfterFirst = 0
    for (let s = 0; s < steps; s++) {
      alone.push(await single.trainStep(batches(s)))
      together.push(await pair.trainStep(batches(s)))
      if (s === 0) tensorsAfterFirst = tf.memory().numTensors
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst)
    expect(together.map((r) => r.step)).toEqual([1, 2, 3])

    // Step 1's D losses depend only on the initial weights, the batch and the latents: equal up to float rounding.
    expect(relativeError(losses(together[0]).slice(0, 2), losses(alone[0]).slice(0, 2))).toBeLessThan(1e-5)
    for (let s = 0; s < steps; s++) expect(relativeError(losses(together[s]), losses(alone[s]))).toBeLessThan(1e-3)

    // Every tensor of the state (G, D, EMA, u vectors, BN statistics, Adam moments) and the rng.
    const a = await single.getState()
    const b = await primary.getState()
    expect(b.rng).toEqual(a.rng)
    expect(b.tensors.map((t) => t.name)).toEqual(a.tensors.map((t) => t.name))
    const errors = b.tensors.map((t, i) => ({ name: t.name, error: relativeError(t.data, a.tensors[i].data) }))
    const worst = (list: typeof errors) => list.reduce((w, e) => (e.error > w.error ? e : w))
    // D has no batch norm: only summation order differs.
    const d = errors.filter((e) => /^(D|adamD\.[mv])\//.test(e.name))
    expect(d.length).toBeGreaterThan(20)
    expect(worst(d).error, `${worst(d).name} differs most`).toBeLessThan(1e-4)
    // G's conv biases all feed a BN, which subtracts any per-channel constant: their gradient is
    // exactly 0, and what float rounding leaves, Adam scales to +-lr in both runs alike. They (and
    // the running means, which absorb them) are noise by design; everything else must agree.
    const cancelled = /\/G\.block\d\.(conv\d|shortcut)\.b$/
    const g = errors.filter((e) => /^(G|Gema|adamG\.[mv])\//.test(e.name) && !cancelled.test(e.name))
    expect(g.length).toBeGreaterThan(40)
    const means = g.filter((e) => e.name.endsWith('runningMean'))
    expect(worst(means).error, `${worst(means).name} differs most`).toBeLessThan(2e-3)
    const rest = g.filter((e) => !e.name.endsWith('runningMean'))
    expect(worst(rest).error, `${worst(rest).name} differs most`).toBeLessThan(5e-3)
    const variances = g.filter((e) => e.name.endsWith('runningVar'))
    expect(variances.length).toBe(14) // 7 BN layers, raw and EMA
    expect(worst(variances).error, `${worst(variances).name} differs most`).toBeLessThan(1e-4)

    await pair.verifyLockstep() // the replica's state hashes to the primary's
  }, 120_000)

  test('after the group is disposed the trainer trains alone on whole batches', async () => {
    const primary = await SaganTrainer.create(config(), data)
    cleanup.push(() => primary.dispose())
    const pair = await group(primary)
    await pair.trainStep(batches(0))
    await pair.dispose()
    const r = await primary.trainStep(batches(1))
    expect(r.step).toBe(2)
    expect(losses(r).every(Number.isFinite)).toBe(true)
  }, 120_000)

  test('a replica that holds other weights is caught by the lockstep check', async () => {
    const primary = await SaganTrainer.create(config(), data)
    const other = await SaganTrainer.create(config({ seed: 12 }), data)
    const otherState = SaganTrainer.serializeState(await other.getState())
    other.dispose()
    cleanup.push(() => primary.dispose())
    const pair = await group(primary, (init) => fromSource({ ...init, state: otherState }))
    await expect(pair.verifyLockstep()).rejects.toThrow(/replica 1 no longer holds the primary's state/)
  }, 120_000)

  test('a replica that fails mid-step fails the step on the primary instead of hanging it, and the primary rolls back', async () => {
    const primary = await SaganTrainer.create(config(), data)
    cleanup.push(() => primary.dispose())
    const pair = await group(primary)
    const before = SaganTrainer.serializeState(await primary.getState())
    const bad = batches(0)
    bad[0].labels = Int32Array.from(bad[0].labels, (l, i) => (i >= B / 2 ? 99 : l)) // only the replica's half is bad
    await expect(pair.trainStep(bad)).rejects.toThrow(/replica 1: label 99 is outside 0\.\.9/)
    expect(SaganTrainer.serializeState(await primary.getState())).toEqual(before)
  }, 120_000)
})

test('webgpu trains one trainer whatever the run config asks: replicas are a wasm/cpu feature', () => {
  expect(planReplicas({ replicas: 2, batchSize: 8 }, 'webgpu', 8)).toEqual({ count: 1, reason: expect.stringMatching(/webgpu trains one trainer on the GPU/) })
  expect(planReplicas({ replicas: 'auto', batchSize: 8 }, 'wasm', 2).count).toBe(2)
})
