// The standard extractor: Inception-v3 pool3 (2048-d) from a TF.js graph model the user keeps on
// disk (model.json + weight shards, e.g. converted with tensorflowjs_converter from the TF-Hub
// inception_v3 feature vector or from pytorch-fid's FID Inception weights). Nothing is downloaded
// here; when the model is absent, inceptionModelStatus says so and why.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter'
import { graphModelFolder } from '../engine/graph-model-folder'
import type { ExtractedFeatures, FeatureExtractor } from './extractor'
import { imageCount, imagesToTensor, resizeLabel, sliceImages, type ImageBatch } from './image-batch'
import type { InceptionClassProbabilities } from './inception-score'

const INCEPTION_INPUT_SIZE = 299
const INCEPTION_FEATURE_DIM = 2048

export interface InceptionOptions {
  /** Pixel range the model expects: [-1, 1] for the FID Inception (and Keras) weights, [0, 1] for TF-Hub modules. */
  inputRange?: [number, number]
  batchSize?: number
  /** Node names to read, when the model's declared outputs are not the pool3 features (e.g. "pool_3"). */
  outputs?: string[]
}

type InceptionModelStatus = { available: true; dir: string } | { available: false; reason: string }

/** Whether a usable model folder is there, and if not, what the user should do. */
export function inceptionModelStatus(dir: string | undefined): InceptionModelStatus {
  if (!dir) return { available: false, reason: 'no Inception-v3 model folder is set: FID uses the dataset classifier features instead' }
  if (!existsSync(join(dir, 'model.json'))) {
    return {
      available: false,
      reason: `${join(dir, 'model.json')} not found: point the studio at a folder holding an Inception-v3 TF.js graph model (model.json and its weight files)`,
    }
  }
  return { available: true, dir }
}

/**
 * Loads and checks the model: one image input [N, 299, 299, 3] and a 2048-d feature output
 * (extra outputs of 1000 or 1008 values are taken as ImageNet class scores, for the Inception Score).
 */
export async function loadInceptionExtractor(dir: string, options: InceptionOptions = {}): Promise<InceptionExtractor> {
  const status = inceptionModelStatus(dir)
  if (!status.available) throw new Error(status.reason)
  const model = await loadGraphModel(graphModelFolder(dir))
  try {
    if (model.inputs.length !== 1) throw new Error(`has ${model.inputs.length} inputs, expected one image input`)
    const shape = model.inputs[0].shape
    if (shape && String(shape.slice(1)) !== String([INCEPTION_INPUT_SIZE, INCEPTION_INPUT_SIZE, 3])) {
      throw new Error(`input shape is [${shape}], expected [-1, ${INCEPTION_INPUT_SIZE}, ${INCEPTION_INPUT_SIZE}, 3]`)
    }
    // Output shapes are often unknown in model.json: run one black image to learn them.
    const probe = tf.zeros([1, INCEPTION_INPUT_SIZE, INCEPTION_INPUT_SIZE, 3])
    const names = options.outputs ?? model.outputNodes
    const outs = [model.execute(probe, names)].flat() as tf.Tensor[]
    const widths = outs.map((t) => t.shape[t.shape.length - 1] ?? 0)
    tf.dispose([probe, ...outs])
    const featureOutput = names[widths.indexOf(INCEPTION_FEATURE_DIM)]
    if (featureOutput === undefined)
      throw new Error(`outputs ${names.map((n, i) => `${n} (${widths[i]})`).join(', ')}: none has ${INCEPTION_FEATURE_DIM} pool3 features`)
    const classIdx = widths.findIndex((w) => w === 1000 || w === 1008)
    return new InceptionExtractor(model, featureOutput, classIdx >= 0 ? names[classIdx] : undefined, options, dir)
  } catch (err) {
    model.dispose()
    throw new Error(`${join(dir, 'model.json')} is not an Inception-v3 pool3 model: ${(err as Error).message}`, { cause: err })
  }
}

class InceptionExtractor implements FeatureExtractor {
  readonly id = 'inception-v3-pool3' as const
  readonly inputSize = INCEPTION_INPUT_SIZE
  readonly featureDim = INCEPTION_FEATURE_DIM
  readonly detail: string

  constructor(
    private readonly model: GraphModel,
    private readonly featureOutput: string,
    private readonly classOutput: string | undefined,
    private readonly options: InceptionOptions,
    dir: string,
  ) {
    const [lo, hi] = options.inputRange ?? [-1, 1]
    this.detail = `Inception-v3 from ${dir}, output ${featureOutput}, pixels scaled to [${lo}, ${hi}]${classOutput ? `, class scores from ${classOutput}` : ', no class scores (no Inception Score)'}`
  }

  resize(fromSize: number): string {
    return resizeLabel(fromSize, INCEPTION_INPUT_SIZE)
  }

  async extract(images: ImageBatch): Promise<ExtractedFeatures> {
    const n = imageCount(images)
    const features = new Float32Array(n * INCEPTION_FEATURE_DIM)
    const classes = this.classOutput ? new Float32Array(n * 1008) : undefined
    let classWidth = 0
    const batch = this.options.batchSize ?? 16
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch)
      const outs = tf.tidy(() => {
        let x = imagesToTensor(sliceImages(images, start, end), INCEPTION_INPUT_SIZE, this.options.inputRange ?? [-1, 1])
        if (images.channels === 1) x = tf.tile(x, [1, 1, 1, 3]) // grey images as RGB
        const names = this.classOutput ? [this.featureOutput, this.classOutput] : [this.featureOutput]
        const out = [this.model.execute(x, names)].flat() as tf.Tensor[]
        return out.map((t, i) => (i === 1 ? asProbabilities(t as tf.Tensor2D) : tf.reshape(t, [end - start, -1])))
      })
      features.set(await outs[0].data(), start * INCEPTION_FEATURE_DIM)
      if (classes && outs[1]) {
        classWidth = outs[1].shape[1] ?? 0
        classes.set(await outs[1].data(), start * classWidth)
      }
      tf.dispose(outs)
    }
    const inceptionProbabilities: InceptionClassProbabilities | undefined = classes
      ? { source: 'inception-v3-imagenet', rows: n, cols: classWidth, data: classes.subarray(0, n * classWidth) }
      : undefined
    return { features: { rows: n, cols: INCEPTION_FEATURE_DIM, data: features }, inceptionProbabilities }
  }

  dispose(): void {
    this.model.dispose()
  }
}

/** Class scores as probabilities: softmax unless the model already outputs rows that sum to 1. */
function asProbabilities(scores: tf.Tensor2D): tf.Tensor2D {
  const sums = tf.sum(scores, 1)
  const isProbability = tf.all(tf.logicalAnd(tf.less(tf.abs(tf.sub(sums, 1)), 1e-3), tf.greaterEqual(tf.min(scores, 1), 0))).dataSync()[0] === 1
  return isProbability ? scores : tf.softmax(scores)
}
