import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { loadGraphModel } from '@tensorflow/tfjs-converter'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type RunConfigInput, buildRunConfig } from '../../../src-shared/run-config'
import { initBackend } from '../../engine/backend'
import { type Batch, SaganTrainer, type TrainingData, type WeightsChoice } from '../../engine/trainer'
import { checkpointGenerator } from './baked-weights'
import { GENERATOR_FORMAT, META_FILE, parseGeneratorMeta } from './generator-meta'
import { HOW_TO_FILE } from './how-to-sample'
import { graphModelFolder } from './model-files'
import { loadGeneratorModel } from './imported-generator'
import { writeGeneratorModel } from './write-generator'

const out = mkdtempSync(join(tmpdir(), 'sagan-generator-export-'))

beforeAll(async () => {
  await initBackend('wasm')
})

afterAll(() => rmSync(out, { recursive: true, force: true }))

const B = 4
const CLASSES = ['tee', 'trouser', 'pullover']

// Tiny 32 px nets; EMA from step 0 with decay 0.5 so EMA weights differ visibly from raw ones.
function runConfig(numClasses: number, overrides: Partial<RunConfigInput> = {}) {
  return buildRunConfig('quick', 'sagan', { gCh: 8, dCh: 8, batchSize: B, numClasses, channels: 1, seed: 5, ema: { startStep: 0, decay: 0.5 }, ...overrides })
}

function batch(step: number, numClasses: number): Batch {
  const images = Uint8Array.from({ length: B * 32 * 32 }, (_, i) => (Math.imul(i + step * 7919, 2654435761) >>> 24) & 255)
  return { images, labels: Int32Array.from({ length: B }, (_, i) => (numClasses > 0 ? (i + step) % numClasses : 0)) }
}

/**
 * A run trained 3 steps (BN running statistics, SN u vectors and EMA have all moved), then
 * resumed with every attention gamma at 0.7: after 3 steps gamma is ~1e-4 and attention would
 * barely touch the images, so a wrong attention graph could still match.
 */
async function trainedRun(numClasses: number, overrides: Partial<RunConfigInput> = {}): Promise<SaganTrainer> {
  const data: TrainingData = { numClasses, classNames: numClasses > 0 ? CLASSES : [], imageSize: 32, channels: 1 }
  const config = runConfig(numClasses, overrides)
  const trainer = await SaganTrainer.create(config, data)
  for (let s = 0; s < 3; s++) trainer.trainStep(batch(s, numClasses))
  const state = trainer.getState()
  trainer.dispose()
  for (const t of state.tensors) if (/^G(ema)?\/.*\.gamma$/.test(t.name)) t.data = Float32Array.of(0.7)
  return SaganTrainer.restore(config, data, state)
}

async function exportRun(trainer: SaganTrainer, name: string): Promise<string> {
  const dir = join(out, name)
  const state = SaganTrainer.serializeState(trainer.getState())
  await writeGeneratorModel(dir, { config: trainer.config, state, classNames: CLASSES.slice(0, trainer.config.numClasses), runName: name, step: trainer.completedSteps })
  return dir
}

/**
 * Exports the run, loads it back and compares both weights choices on 10 latents (crossing the
 * trainer's batch of 4; the import samples them in one pass): the uint8 images with
 * trainer.sample, and the float outputs with the engine's evaluation pass.
 */
async function expectSameImages(trainer: SaganTrainer, name: string): Promise<void> {
  const dir = await exportRun(trainer, name)
  const tensorsBefore = tf.memory().numTensors
  const imported = await loadGeneratorModel(dir)
  const choices = trainer.config.ema.enabled ? ['raw', 'ema'] as const : ['raw'] as const
  expect(imported.weights).toEqual(choices)
  const zDim = trainer.config.zDim
  const z = trainer.fixedLatents(10, 11).z.subarray(0, 10 * zDim)
  const labels = Int32Array.from({ length: 10 }, (_, i) => (trainer.config.numClasses > 0 ? i % trainer.config.numClasses : 0))
  const sheets: Uint8Array[] = []
  for (const w of choices) {
    const fromRun = await trainer.sample(z, labels, w)
    const fromExport = await imported.sample(z, labels, w)
    expect(fromExport.length).toBe(10 * 32 * 32)
    expect(maxDifference(fromExport, fromRun), `${name} ${w}: largest pixel difference`).toBe(0)
    expect(await floatDifference(trainer, join(dir, `generator-${w}`), w, z, labels), `${name} ${w}: largest float difference`).toBe(0)
    sheets.push(fromRun)
  }
  // Guards against a vacuous match: the images are not flat and EMA is not a copy of raw.
  expect(new Set(sheets[0]).size).toBeGreaterThan(16)
  if (sheets.length === 2) expect(maxDifference(sheets[0], sheets[1])).toBeGreaterThan(0)
  imported.dispose()
  expect(tf.memory().numTensors).toBe(tensorsBefore)
}

/** max |graph model output - engine evaluation output| over all pixels, before the uint8 mapping. */
async function floatDifference(trainer: SaganTrainer, folder: string, w: WeightsChoice, z: Float32Array, labels: Int32Array): Promise<number> {
  const { generator, store } = checkpointGenerator(trainer.config, trainer.getState(), w)
  const model = await loadGraphModel(graphModelFolder(folder))
  const diff = tf.tidy(() => {
    const zt = tf.tensor2d(z, [labels.length, trainer.config.zDim])
    const lt = tf.tensor1d(labels, 'int32')
    const engine = generator.apply(zt, lt, { store, training: false, updateSn: false, updateStats: false })
    return tf.max(tf.abs(tf.sub(model.execute({ z: zt, label: lt }, 'images') as tf.Tensor, engine)))
  })
  const value = (await diff.data())[0]
  tf.dispose(diff)
  model.dispose()
  store.dispose()
  return value
}

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]))
  return max
}

describe('exported generator', () => {
  test('a conditional run with pooled attention: raw and EMA re-imported draw the same images as the run', async () => {
    const trainer = await trainedRun(3)
    await expectSameImages(trainer, 'conditional')
    trainer.dispose()
  })

  test('an unconditional run with full (N x N) attention and no EMA exports raw weights only, label ignored', async () => {
    const trainer = await trainedRun(0, { attentionVariant: 'full', ema: { enabled: false } })
    await expectSameImages(trainer, 'unconditional')
    trainer.dispose()
    expect(existsSync(join(out, 'unconditional', 'generator-ema'))).toBe(false)
  })

  test('the residual-instead-of-attention ablation without SN in G (sn-d-only) round-trips too', async () => {
    const trainer = await trainedRun(3, { attentionBlock: 'residual', snG: false })
    await expectSameImages(trainer, 'residual-no-sn')
    trainer.dispose()
  })

  test('the folder holds graph models of converter-supported ops and a description with the run facts', async () => {
    const dir = join(out, 'conditional')
    const model = JSON.parse(readFileSync(join(dir, 'generator-ema', 'model.json'), 'utf8'))
    expect(model.format).toBe('graph-model')
    const ops = new Set(model.modelTopology.node.map((n: { op: string }) => n.op))
    const supported = ['Placeholder', 'Const', 'MatMul', 'BatchMatMulV2', 'AddV2', 'Sub', 'Mul', 'Reshape', 'Conv2D', 'ResizeNearestNeighbor', 'MaxPool', 'Relu', 'Tanh', 'Softmax', 'GatherV2']
    expect([...ops].filter((op) => !supported.includes(op as string))).toEqual([])
    expect(Object.keys(model.signature.inputs).sort()).toEqual(['label', 'z'])
    for (const path of model.weightsManifest[0].paths) expect(existsSync(join(dir, 'generator-ema', path))).toBe(true)
    // SN is baked in: no power-iteration vector is shipped.
    expect(model.weightsManifest[0].weights.some((w: { name: string }) => w.name.endsWith('.u'))).toBe(false)

    const meta = parseGeneratorMeta(readFileSync(join(dir, META_FILE), 'utf8'), META_FILE)
    expect(meta).toMatchObject({ format: GENERATOR_FORMAT, formatVersion: 1, runName: 'conditional', step: 3, classes: CLASSES, imageSize: 32, channels: 1, zDim: 128, weights: ['raw', 'ema'] })
    expect(meta.latent.distribution).toBe('standard-normal')
    expect(meta.pixels).toBe('uint8 = round(clip((x + 1) * 127.5, 0, 255))')
    expect(readFileSync(join(dir, HOW_TO_FILE), 'utf8')).toContain('tf.loadGraphModel')
    const unconditional = parseGeneratorMeta(readFileSync(join(out, 'unconditional', META_FILE), 'utf8'), META_FILE)
    expect(unconditional).toMatchObject({ classes: [], weights: ['raw'] })
  })

  test('mistakes are refused with what to do: wrong class names, a folder without an export, a missing weights choice', async () => {
    const trainer = await trainedRun(3)
    const state = SaganTrainer.serializeState(trainer.getState())
    await expect(writeGeneratorModel(join(out, 'bad'), { config: trainer.config, state, classNames: ['a'], runName: 'x', step: 3 })).rejects.toThrow(/3 classes but 1 class names/)
    trainer.dispose()
    await expect(loadGeneratorModel(out)).rejects.toThrow(/sagan-generator.json: not found/)
    const imported = await loadGeneratorModel(join(out, 'unconditional'))
    await expect(imported.sample(new Float32Array(128), Int32Array.of(0), 'ema')).rejects.toThrow(/no ema weights/)
    await expect(imported.sample(new Float32Array(128), Int32Array.of(1), 'raw')).rejects.toThrow(/label 1 is outside 0..0/)
    imported.dispose()
  })
})
