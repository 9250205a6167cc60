import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { loadGraphModel } from '@tensorflow/tfjs-converter'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type RunConfigInput, buildRunConfig } from '../../../src-shared/run-config'
import { initBackend } from '../../engine/backend'
import { NATIVE_ROUTES, onNativeRoute } from '../../engine/testing/native-routes'
import { maxDifference } from '../../engine/testing/numerics'
import { type Batch, SaganTrainer, type TrainingData, type WeightsChoice } from '../../engine/trainer'
import { checkpointGenerator } from './baked-weights'
import { GENERATOR_FORMAT, META_FILE, parseGeneratorMeta } from './generator-meta'
import { HOW_TO_FILE } from './how-to-sample'
import { graphModelFolder } from '../../engine/graph-model-folder'
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
  for (let s = 0; s < 3; s++) await trainer.trainStep(batch(s, numClasses))
  const state = await trainer.getState()
  trainer.dispose()
  for (const t of state.tensors) if (/^G(ema)?\/.*\.gamma$/.test(t.name)) t.data = Float32Array.of(0.7)
  return SaganTrainer.restore(config, data, state)
}

interface Exported {
  trainer: SaganTrainer
  dir: string
}

const exported = new Map<string, Promise<Exported>>()

/** Trains and exports a run once per name; tests share it whatever order they run in. */
function exportedRun(name: string, numClasses: number, overrides: Partial<RunConfigInput> = {}): Promise<Exported> {
  let run = exported.get(name)
  if (!run) {
    run = (async () => {
      const trainer = await trainedRun(numClasses, overrides)
      const dir = join(out, name)
      const state = SaganTrainer.serializeState(await trainer.getState())
      await writeGeneratorModel(dir, { config: trainer.config, state, classNames: CLASSES.slice(0, numClasses), runName: name, step: trainer.completedSteps })
      return { trainer, dir }
    })()
    exported.set(name, run)
  }
  return run
}

const conditional = () => exportedRun('conditional', 3)
// D's attention is dropped: only G is exported, and full attention in D would only slow training.
const unconditional = () => exportedRun('unconditional', 0, { attentionVariant: 'full', dAttention: [], ema: { enabled: false } })

// The exported graph runs TF.js's own Conv2D. Where native/dnnl is built, the run's
// convolutions go through oneDNN, which sums in another order: floats then differ by ~1e-6 and a
// rare pixel by one level. With the backend's kernels on both sides the images are bit-identical.
const TOLERANCE = { exact: { pixel: 0, float: 0 }, oneDNN: { pixel: 1, float: 1e-5 } }

/**
 * Loads the export back and compares every weights choice on 6 latents (the trainer samples
 * them in batches of 4, the import in one pass): the uint8 images with trainer.sample, and
 * the float outputs with the engine's evaluation pass, on each convolution route.
 */
async function expectSameImages({ trainer, dir }: Exported): Promise<void> {
  const tensorsBefore = tf.memory().numTensors
  const imported = await loadGeneratorModel(dir)
  const choices: WeightsChoice[] = trainer.config.ema.enabled ? ['raw', 'ema'] : ['raw']
  expect(imported.weights).toEqual(choices)
  const { zDim, numClasses } = trainer.config
  const z = trainer.fixedLatents(6, 11).z.subarray(0, 6 * zDim)
  const labels = Int32Array.from({ length: 6 }, (_, i) => (numClasses > 0 ? i % numClasses : 0))
  for (const route of NATIVE_ROUTES.filter((r) => !r.skip)) {
    const tolerance = route.off ? TOLERANCE.exact : TOLERANCE.oneDNN
    const sheets = await onNativeRoute(route, async () => {
      const drawn: Uint8Array[] = []
      for (const w of choices) {
        const fromRun = await trainer.sample(z, labels, w)
        const fromExport = await imported.sample(z, labels, w)
        expect(fromExport.length).toBe(6 * 32 * 32)
        expect(maxDifference(fromExport, fromRun), `${dir} ${w} via ${route.name}: largest pixel difference`).toBeLessThanOrEqual(tolerance.pixel)
        const float = await floatDifference(trainer, join(dir, `generator-${w}`), w, z, labels)
        expect(float, `${dir} ${w} via ${route.name}: largest float difference`).toBeLessThanOrEqual(tolerance.float)
        drawn.push(fromRun)
      }
      return drawn
    })
    // Guards against a vacuous match: the images are not flat and EMA is not a copy of raw.
    expect(new Set(sheets[0]).size).toBeGreaterThan(16)
    if (sheets.length === 2) expect(maxDifference(sheets[0], sheets[1])).toBeGreaterThan(0)
  }
  imported.dispose()
  expect(tf.memory().numTensors).toBe(tensorsBefore)
}

/** max |graph model output - engine evaluation output| over all pixels, before the uint8 mapping. */
async function floatDifference(trainer: SaganTrainer, folder: string, w: WeightsChoice, z: Float32Array, labels: Int32Array): Promise<number> {
  const { generator, store } = checkpointGenerator(trainer.config, await trainer.getState(), w)
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

describe('exported generator', () => {
  afterAll(async () => {
    for (const run of exported.values()) (await run).trainer.dispose()
  })

  test('a conditional run with pooled attention: raw and EMA re-imported draw the same images as the run', async () => {
    await expectSameImages(await conditional())
  })

  test('an unconditional run with full (N x N) attention and no EMA: raw weights only, the label is ignored', async () => {
    const run = await unconditional()
    await expectSameImages(run)
    expect(existsSync(join(run.dir, 'generator-ema'))).toBe(false)
  })

  test('the residual-instead-of-attention ablation without SN in G round-trips too', async () => {
    await expectSameImages(await exportedRun('residual-no-sn', 3, { attentionBlock: 'residual', snG: false }))
  })

  test('each model.json is a graph model of converter-supported ops with SN baked in', async () => {
    const { dir } = await conditional()
    const model = JSON.parse(readFileSync(join(dir, 'generator-ema', 'model.json'), 'utf8'))
    expect(model.format).toBe('graph-model')
    const ops = new Set<string>(model.modelTopology.node.map((n: { op: string }) => n.op))
    const supported = [
      'Placeholder',
      'Const',
      'MatMul',
      'BatchMatMulV2',
      'AddV2',
      'Sub',
      'Mul',
      'Reshape',
      'Conv2D',
      'ResizeNearestNeighbor',
      'MaxPool',
      'Relu',
      'Tanh',
      'Softmax',
      'GatherV2',
    ]
    expect([...ops].filter((op) => !supported.includes(op))).toEqual([])
    expect(Object.keys(model.signature.inputs).sort()).toEqual(['label', 'z'])
    expect(Object.keys(model.signature.outputs)).toEqual(['images'])
    for (const path of model.weightsManifest[0].paths) expect(existsSync(join(dir, 'generator-ema', path))).toBe(true)
    // No power-iteration vector is shipped: the weights are already divided by sigma.
    expect(model.weightsManifest[0].weights.some((w: { name: string }) => w.name.endsWith('.u'))).toBe(false)
  })

  test('sagan-generator.json states the run, classes in label order, geometry, latent and pixel mapping', async () => {
    const meta = parseGeneratorMeta(readFileSync(join((await conditional()).dir, META_FILE), 'utf8'), META_FILE)
    expect(meta).toMatchObject({
      format: GENERATOR_FORMAT,
      formatVersion: 1,
      runName: 'conditional',
      step: 3,
      classes: CLASSES,
      imageSize: 32,
      channels: 1,
      zDim: 128,
      weights: ['raw', 'ema'],
    })
    expect(meta.latent.distribution).toBe('standard-normal')
    expect(meta.pixels).toBe('uint8 = round(clip((x + 1) * 127.5, 0, 255))')
    const plain = parseGeneratorMeta(readFileSync(join((await unconditional()).dir, META_FILE), 'utf8'), META_FILE)
    expect(plain).toMatchObject({ classes: [], weights: ['raw'] })
  })

  test("HOW-TO-SAMPLE.md's example, run as written against the folder, gives the studio's bytes", async () => {
    const { dir } = await conditional()
    const howTo = readFileSync(join(dir, HOW_TO_FILE), 'utf8')
    const example = howTo
      .split('```js')[1]
      .split('```')[0]
      .replace(/^import .*$/m, '')
    // The example's tf: tfjs-core with a loadGraphModel that serves URLs from the folder, and a
    // randomNormal whose draw the test keeps to sample the same latents through loadGeneratorModel.
    let drawn: Float32Array | null = null
    const tfForExample = {
      ...tf,
      loadGraphModel: (url: string) => loadGraphModel(graphModelFolder(join(dir, dirname(url)))),
      randomNormal: (shape: number[]) => {
        const t = tf.randomNormal(shape)
        drawn = t.dataSync() as Float32Array
        return t
      },
    }
    const bytes = (await new Function('tf', `return (async () => { ${example}\n return bytes })()`)(tfForExample)) as Uint8Array
    const imported = await loadGeneratorModel(dir)
    const expected = await imported.sample(
      drawn as unknown as Float32Array,
      Int32Array.from({ length: 8 }, (_, i) => i % 3),
      'ema',
    )
    imported.dispose()
    expect(bytes.length).toBe(8 * 32 * 32)
    expect(maxDifference(bytes, expected)).toBe(0)
  })

  test('mistakes are refused with what to do: wrong class names, a folder without an export, a missing weights choice, a bad label', async () => {
    const { trainer } = await conditional()
    const state = SaganTrainer.serializeState(await trainer.getState())
    await expect(writeGeneratorModel(join(out, 'bad'), { config: trainer.config, state, classNames: ['a'], runName: 'x', step: 3 })).rejects.toThrow(
      /3 classes but 1 class names/,
    )
    await expect(loadGeneratorModel(out)).rejects.toThrow(/sagan-generator.json: not found/)
    const imported = await loadGeneratorModel((await unconditional()).dir)
    await expect(imported.sample(new Float32Array(128), Int32Array.of(0), 'ema')).rejects.toThrow(/no ema weights/)
    await expect(imported.sample(new Float32Array(128), Int32Array.of(1), 'raw')).rejects.toThrow(/label 1 is outside 0..0/)
    imported.dispose()
  })
})
