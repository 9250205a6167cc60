// An exported generator loaded back from its folder with tfjs-converter, as
// any TF.js app would load it: samples images without the run, through the
// same pixel mapping as SaganTrainer.sample. Uses the active tfjs backend.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter'
import { toPixelValues } from '../../engine/pixels'
import type { WeightsChoice } from '../../engine/trainer'
import { INPUT_LABEL, INPUT_Z, OUTPUT_IMAGES } from './generator-graph'
import { type GeneratorMeta, META_FILE, modelFolder, parseGeneratorMeta } from './generator-meta'
import { graphModelFolder } from '../../engine/graph-model-folder'

// Images per forward pass: a full 32x32 attention map is 4 MB per image.
const BATCH = 16

export interface ImportedGenerator {
  readonly meta: GeneratorMeta
  /** Weights choices the folder holds ('raw', and 'ema' when the run kept it). */
  readonly weights: WeightsChoice[]
  /** Images [N, S, S, C] uint8 from latents z [N, zDim] and labels [N] (0 when unconditional). */
  sample(z: Float32Array, labels: Int32Array, weights: WeightsChoice): Promise<Uint8Array>
  dispose(): void
}

/** Reads sagan-generator.json and loads every model it lists. */
export async function loadGeneratorModel(dir: string): Promise<ImportedGenerator> {
  const metaPath = join(dir, META_FILE)
  const text = await readFile(metaPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${metaPath}: ${err.code === 'ENOENT' ? 'not found; point at a folder written by "sagan-studio export --model"' : err.message}`)
  })
  const meta = parseGeneratorMeta(text, metaPath)
  const models = new Map<WeightsChoice, GraphModel>()
  try {
    for (const w of meta.weights) models.set(w, await loadChecked(join(dir, modelFolder(w)), meta))
  } catch (err) {
    for (const m of models.values()) m.dispose()
    throw err
  }
  return new FolderGenerator(meta, models)
}

async function loadChecked(folder: string, meta: GeneratorMeta): Promise<GraphModel> {
  const model = await loadGraphModel(graphModelFolder(folder))
  const inputs = model.inputs.map((i) => i.name).sort()
  if (String(inputs) !== String([INPUT_LABEL, INPUT_Z]) || String(model.outputs.map((o) => o.name)) !== OUTPUT_IMAGES) {
    model.dispose()
    throw new Error(
      `${folder}: inputs [${inputs}] and outputs [${model.outputs.map((o) => o.name)}] are not a SAGAN Studio generator's (z, label -> images); export it again`,
    )
  }
  const zShape = model.inputs.find((i) => i.name === INPUT_Z)?.shape
  if (zShape?.[1] !== meta.zDim) {
    model.dispose()
    throw new Error(`${folder}: input z is [${zShape}] but ${META_FILE} says zDim ${meta.zDim}; the folder mixes two exports`)
  }
  return model
}

class FolderGenerator implements ImportedGenerator {
  readonly weights: WeightsChoice[]

  constructor(
    readonly meta: GeneratorMeta,
    private readonly models: Map<WeightsChoice, GraphModel>,
  ) {
    this.weights = [...models.keys()]
  }

  async sample(z: Float32Array, labels: Int32Array, weights: WeightsChoice): Promise<Uint8Array> {
    const model = this.models.get(weights)
    if (!model) throw new Error(`This exported generator has no ${weights} weights (it has ${this.weights.join(', ')})`)
    const { zDim, imageSize: s, channels: c, classes } = this.meta
    const n = labels.length
    if (z.length !== n * zDim) throw new Error(`sample: z has ${z.length} values, expected ${n} x zDim ${zDim}`)
    const numLabels = Math.max(1, classes.length)
    for (const l of labels) if (l < 0 || l >= numLabels) throw new Error(`label ${l} is outside 0..${numLabels - 1} (${classes.length} classes)`)
    const out = new Uint8Array(n * s * s * c)
    for (let start = 0; start < n; start += BATCH) {
      const end = Math.min(n, start + BATCH)
      const pixels = tf.tidy(() => {
        const feeds = {
          [INPUT_Z]: tf.tensor2d(z.subarray(start * zDim, end * zDim), [end - start, zDim]),
          [INPUT_LABEL]: tf.tensor1d(labels.subarray(start, end), 'int32'),
        }
        return toPixelValues(model.execute(feeds, OUTPUT_IMAGES) as tf.Tensor)
      })
      out.set(await pixels.data(), start * s * s * c)
      pixels.dispose()
    }
    return out
  }

  dispose(): void {
    for (const m of this.models.values()) m.dispose()
    this.models.clear()
  }
}
