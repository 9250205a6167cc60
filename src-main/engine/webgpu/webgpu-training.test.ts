// The engine on the webgpu backend against the cpu backend, on whatever adapter
// this machine has (CI: Mesa's llvmpipe through OpenGL ES, set up by
// scripts/setup-test-machine.sh). A software adapter takes minutes per
// quick-preset step, so every config here is tiny.
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, describe, expect, test } from 'vitest'
import type { RunConfig } from '../../../src-shared/run-config'
import { initBackend } from '../backend'
import { testImages } from '../../testing/fashion-mnist'
import { onBackend, relativeError } from '../testing/numerics'
import { TINY_DATA, tinyTrainerConfig } from '../testing/tiny-run'
import { type Batch, SaganTrainer, type StepResult, type TrainerState } from '../trainer'
import { throwIfGpuFailed } from './device-errors'

const webgpu = await initBackend('webgpu', { webgpu: true })
const unavailable = webgpu.name === 'webgpu' ? null : (webgpu.skipped.find((s) => s.name === 'webgpu')?.reason ?? 'webgpu did not load')
await initBackend('cpu')
afterAll(async () => {
  await initBackend('wasm')
})

// Conditional, attention in G (32x32, pooled keys) and D (16x16), SN, conditional BN, EMA from step 1, flips,
// DiffAugment (colour, translation, cutout) in every D pass.
const data = TINY_DATA
const B = 2
const config = (overrides: Partial<RunConfig> = {}): RunConfig => tinyTrainerConfig({ batchSize: B, seed: 5, augment: { policy: 'diffaugment' }, ...overrides })
const pool = testImages(8)
function batch(step: number): Batch {
  const start = (step * B) % 8
  return { images: pool.images.slice(start * 1024, (start + B) * 1024), labels: pool.labels.slice(start, start + B) }
}
const losses = (r: StepResult) => [r.dLossReal, r.dLossFake, r.gLoss]

interface Trained {
  /** The state as this backend holds it before the step (after a restore: what it loaded). */
  before: TrainerState
  result: StepResult
  state: TrainerState
  /** Forward passes before the step, when asked for. */
  inspected?: { sigmas: { layer: string; sigma: number }[]; images: Uint8Array; attention: Float32Array }
}

/** On one backend: one step from the seed (or from a state), then everything the comparisons read. */
async function trainOnce(backend: string, from?: TrainerState, inspect = false): Promise<Trained> {
  return onBackend(backend, async () => {
    const t = from ? await SaganTrainer.restore(config(), data, from) : await SaganTrainer.create(config(), data)
    try {
      const before = await t.getState()
      // Forward passes on the weights both backends start from (Adam's first update amplifies rounding).
      const inspected = inspect ? await forwardPasses(t) : undefined
      const result = await t.trainStep(batch(t.completedSteps))
      return { before, result, state: await t.getState(), inspected }
    } finally {
      t.dispose()
    }
  })
}

async function forwardPasses(t: SaganTrainer): Promise<NonNullable<Trained['inspected']>> {
  const { z, labels } = t.fixedLatents(1, 3)
  const images = await t.sample(z.subarray(0, 2 * 128), labels.subarray(0, 2), 'ema')
  const attention = (await t.attentionMap(z.subarray(0, 128), 1, { x: 5, y: 9 }, 'raw')).map
  return { sigmas: await t.spectralNorms(), images, attention }
}

/** G's conv biases feed a BN, which cancels them: their gradient is rounding noise that Adam scales to +-lr (see data-parallel.test.ts). */
const CANCELLED = /\/G\.block\d\.(conv\d|shortcut)\.b$|runningMean$/

function expectSameState(got: TrainerState, want: TrainerState, tolerance: number): void {
  expect(got.step).toBe(want.step)
  expect(got.rng).toEqual(want.rng)
  expect(got.tensors.map((t) => t.name)).toEqual(want.tensors.map((t) => t.name))
  const errors = got.tensors
    .filter((t) => !CANCELLED.test(t.name))
    .map((t) => ({ name: t.name, error: relativeError(t.data, want.tensors.find((w) => w.name === t.name)!.data) }))
  expect(errors.length).toBeGreaterThan(100)
  const worst = errors.reduce((w, e) => (e.error > w.error ? e : w))
  expect(worst.error, `${worst.name} differs most`).toBeLessThan(tolerance)
}

describe.skipIf(unavailable !== null)(
  `webgpu backend (${webgpu.adapter ? `${webgpu.adapter.device}, ${webgpu.adapter.software ? 'software' : 'hardware'}` : 'no adapter'})`,
  () => {
    test("SN sigmas, samples and the attention map equal the cpu backend's, and so do one training step's losses and weights", async () => {
      const cpu = await trainOnce('cpu', undefined, true)
      const gpu = await trainOnce('webgpu', undefined, true)
      expect(gpu.result.nonFinite).toBeUndefined()
      expect(relativeError(losses(gpu.result), losses(cpu.result))).toBeLessThan(1e-4)
      expect(
        relativeError(
          gpu.result.gammas.map((g) => g.value),
          cpu.result.gammas.map((g) => g.value),
        ),
      ).toBeLessThan(1e-3)
      expectSameState(gpu.state, cpu.state, 5e-3)
      const [g, c] = [gpu.inspected!, cpu.inspected!]
      expect(g.sigmas.map((s) => s.layer)).toEqual(c.sigmas.map((s) => s.layer))
      expect(
        relativeError(
          g.sigmas.map((s) => s.sigma),
          c.sigmas.map((s) => s.sigma),
        ),
      ).toBeLessThan(1e-4)
      // uint8 pixels: rounding may move a pixel by one level.
      expect(g.images.reduce((m, v, i) => Math.max(m, Math.abs(v - c.images[i])), 0)).toBeLessThanOrEqual(1)
      expect(g.attention.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4)
      expect(relativeError(g.attention, c.attention)).toBeLessThan(1e-4)
    }, 120_000)

    test('a checkpoint written on webgpu resumes on wasm, and a wasm checkpoint resumes on webgpu', async () => {
      const first = await trainOnce('webgpu')
      const bytes = SaganTrainer.serializeState(first.state)
      const onWasm = await trainOnce('wasm', SaganTrainer.deserializeState(bytes))
      const stayed = await trainOnce('webgpu', SaganTrainer.deserializeState(bytes))
      // float32 crosses backends bit for bit.
      expect(SaganTrainer.serializeState(onWasm.before)).toEqual(bytes)
      expect(onWasm.result.step).toBe(2)
      expect(relativeError(losses(onWasm.result), losses(stayed.result))).toBeLessThan(1e-4)
      expectSameState(onWasm.state, stayed.state, 5e-3)
      const wasmBytes = SaganTrainer.serializeState(onWasm.state)
      const back = await trainOnce('webgpu', SaganTrainer.deserializeState(wasmBytes))
      expect(SaganTrainer.serializeState(back.before)).toEqual(wasmBytes)
      expect(back.result.step).toBe(3)
      expect(back.result.nonFinite).toBeUndefined()
      expect(losses(back.result).every(Number.isFinite)).toBe(true)
    }, 120_000)

    test('a NaN weight is named and the step undone on webgpu; tensors stay flat across steps', async () => {
      const { state } = await trainOnce('webgpu')
      await onBackend('webgpu', async () => {
        const t = await SaganTrainer.restore(config(), data, state)
        await t.trainStep(batch(1))
        const flat = tf.memory().numTensors
        await t.trainStep(batch(2))
        expect(tf.memory().numTensors).toBe(flat)
        t.dispose()

        const poisoned: TrainerState = {
          ...state,
          tensors: state.tensors.map((x) => (x.name === 'G/G.linear.b' ? { ...x, data: x.data.map((v, i) => (i === 0 ? Number.POSITIVE_INFINITY : v)) } : x)),
        }
        const r = await SaganTrainer.restore(config(), data, poisoned)
        const result = await r.trainStep(batch(1))
        expect(result.nonFinite).toMatch(/^(loss \w+ = (NaN|-?Infinity)|weight G\/G\.linear\.)/)
        expect(result.step).toBe(1)
        const after = await r.getState()
        expect(after.rng).toEqual(state.rng)
        after.tensors.forEach((x, i) => expect(Array.from(x.data), x.name).toEqual(Array.from(poisoned.tensors[i].data)))
        r.dispose()
      })
    }, 120_000)

    test('a kernel the GPU rejects fails loudly instead of reading as zeros', async () => {
      await onBackend('webgpu', async () => {
        // AddN binds every input at once: 12 exceed the 8 storage buffers a WebGPU device gets by default.
        const sum = tf.tidy(() => tf.addN(Array.from({ length: 12 }, (_, i) => tf.fill([4], i + 1))))
        const values = await sum.data()
        sum.dispose()
        expect(() => throwIfGpuFailed('addN')).toThrow(/addN: the GPU rejected a kernel \(.*storage buffers/)
        expect(Array.from(values)).toEqual([0, 0, 0, 0]) // what the caller would have seen
        expect(() => throwIfGpuFailed('next')).not.toThrow()
      })
    })
  },
)

if (unavailable !== null) test.skip(`webgpu tests skipped: no adapter could be created (${unavailable})`, () => {})
