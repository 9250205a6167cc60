// The built-in feature extractor: the small CNN of classifier-network.ts trained on the run's own
// real images. With two or more classes it learns the classes; a one-class (unconditional)
// dataset has nothing to classify, so it learns which of four rotations (0/90/180/270 degrees) an
// image was given (RotNet, Gidaris et al. 2018), a self-supervised task whose features still
// describe shape and texture. The extractor id says which of the two it is.
import * as tf from '@tensorflow/tfjs-core'
import type { ExtractorId } from '../../src-shared/metrics'
import { argmaxRows } from './class-agreement'
import {
  classifierForward,
  classifierInputSize,
  classifierWeightShapes,
  FEATURE_DIM,
  initClassifierWeights,
  type ClassifierShape,
  type ClassifierWeights,
} from './classifier-network'
import type { ExtractedFeatures, FeatureExtractor } from './extractor'
import { imageCount, imagesToTensor, pickImages, resizeLabel, sliceImages, type ImageBatch } from './image-batch'
import { sampleWithoutReplacement, seededRandom } from '../random'
import { decodeWeightBytes, encodeWeightBytes } from './weight-bytes'
import { DATASET_CLASSIFIER_VERSION } from './cache-keys'

export interface LabelledImages extends ImageBatch {
  labels: Int32Array // [N], class index per image
  numClasses: number
}

type ClassifierTask = 'classes' | 'rotation'

export interface TrainClassifierOptions {
  epochs?: number
  batchSize?: number
  learningRate?: number
  /** Share of images kept out of training to measure accuracy (at most maxHeldOut of them). */
  heldOutFraction?: number
  maxHeldOut?: number
  /** Training images beyond this are not used: the extractor must stay cheap next to the GAN. */
  maxTrainImages?: number
  seed?: number
  onProgress?: (p: { epoch: number; step: number; steps: number; loss: number }) => void
}

interface HeldOutAccuracy {
  accuracy: number // share of held-out images (or image rotations) classified correctly
  nHeldOut: number
  chance: number // accuracy of guessing
}

interface ClassifierHeader {
  format: 'sagan-studio/dataset-classifier'
  version: number
  task: ClassifierTask
  imageSize: number
  channels: 1 | 3
  numClasses: number // of the dataset; the rotation task has 4 outputs whatever this is
  heldOut: HeldOutAccuracy
}

export class DatasetClassifier implements FeatureExtractor {
  readonly id: ExtractorId
  readonly inputSize: number
  readonly featureDim = FEATURE_DIM

  private constructor(
    private readonly weights: ClassifierWeights,
    private readonly header: ClassifierHeader,
  ) {
    this.id = header.task === 'classes' ? 'dataset-classifier' : 'dataset-rotation-classifier'
    this.inputSize = classifierInputSize(header.imageSize)
  }

  get task(): ClassifierTask {
    return this.header.task
  }

  get heldOut(): HeldOutAccuracy {
    return this.header.heldOut
  }

  get detail(): string {
    const { accuracy, nHeldOut, chance } = this.header.heldOut
    const what = this.header.task === 'classes' ? `${this.header.numClasses}-class classifier` : 'rotation classifier (one-class dataset)'
    return `${what} trained on this dataset; held-out accuracy ${(100 * accuracy).toFixed(1)}% on ${nHeldOut} (chance ${(100 * chance).toFixed(0)}%)`
  }

  /** Trains a new extractor on real images; the held-out accuracy is measured on images it never saw. */
  static async train(data: LabelledImages, options: TrainClassifierOptions = {}): Promise<DatasetClassifier> {
    const task: ClassifierTask = data.numClasses >= 2 ? 'classes' : 'rotation'
    const seed = options.seed ?? 1
    const n = imageCount(data)
    const order = sampleWithoutReplacement(n, n, seededRandom(seed))
    const nHeldOut = Math.min(Math.round(n * (options.heldOutFraction ?? 0.1)), options.maxHeldOut ?? 1000)
    const heldOut = order.subarray(0, nHeldOut)
    const train = order.subarray(nHeldOut, nHeldOut + (options.maxTrainImages ?? 5000))
    if (train.length < 2) throw new Error(`the dataset classifier needs at least 2 training images, got ${train.length}`)

    const shape: ClassifierShape = { channels: data.channels, numClasses: task === 'classes' ? data.numClasses : 4 }
    const weights = initClassifierWeights(shape, seed)
    const optimizer = tf.train.adam(options.learningRate ?? 2e-3)
    const inputSize = classifierInputSize(data.imageSize)
    const batchSize = options.batchSize ?? 32
    const epochs = options.epochs ?? 3
    const stepsPerEpoch = Math.ceil(train.length / batchSize)
    const random = seededRandom(seed + 1)
    for (let epoch = 0; epoch < epochs; epoch++) {
      const perm = sampleWithoutReplacement(train.length, train.length, random)
      for (let step = 0; step < stepsPerEpoch; step++) {
        const idx = perm.subarray(step * batchSize, (step + 1) * batchSize).map((k) => train[k])
        const lossTensor = optimizer.minimize(
          () => {
            const { x, y } = taskBatch(task, data, idx, inputSize, shape.numClasses)
            return tf.losses.softmaxCrossEntropy(y, classifierForward(weights, x).logits) as tf.Scalar
          },
          true,
          Object.values(weights),
        )
        const loss = (await lossTensor!.data())[0]
        lossTensor!.dispose()
        options.onProgress?.({ epoch, step, steps: stepsPerEpoch, loss })
      }
    }
    optimizer.dispose()
    const header: ClassifierHeader = {
      format: 'sagan-studio/dataset-classifier',
      version: DATASET_CLASSIFIER_VERSION,
      task,
      imageSize: data.imageSize,
      channels: data.channels,
      numClasses: data.numClasses,
      heldOut: { accuracy: Number.NaN, nHeldOut: 0, chance: 1 / shape.numClasses },
    }
    const classifier = new DatasetClassifier(weights, header)
    header.heldOut = nHeldOut > 0 ? await classifier.measureAccuracy(data, heldOut) : header.heldOut
    return classifier
  }

  /** Restores an extractor from serialize()'s bytes (e.g. a BLOB cached per dataset and resolution). */
  static restore(bytes: Uint8Array): DatasetClassifier {
    const { header, arrays, shapes } = decodeWeightBytes<ClassifierHeader>(bytes, 'dataset classifier')
    if (header.format !== 'sagan-studio/dataset-classifier' || header.version !== DATASET_CLASSIFIER_VERSION) {
      throw new Error(`dataset classifier bytes are ${header.format} v${header.version}; this build needs v${DATASET_CLASSIFIER_VERSION}: retrain it`)
    }
    const expected = classifierWeightShapes({ channels: header.channels, numClasses: header.task === 'classes' ? header.numClasses : 4 })
    const weights: ClassifierWeights = {}
    for (const [name, shape] of Object.entries(expected)) {
      if (String(shapes[name]) !== String(shape)) throw new Error(`dataset classifier bytes: weight "${name}" has shape [${shapes[name]}], expected [${shape}]`)
      weights[name] = tf.variable(tf.tensor(arrays[name], shape, 'float32'), false)
    }
    return new DatasetClassifier(weights, header)
  }

  serialize(): Uint8Array {
    const arrays: Record<string, Float32Array> = {}
    const shapes: Record<string, number[]> = {}
    for (const [name, v] of Object.entries(this.weights)) {
      arrays[name] = v.dataSync() as Float32Array
      shapes[name] = v.shape
    }
    return encodeWeightBytes(this.header, { arrays, shapes })
  }

  resize(fromSize: number): string {
    return resizeLabel(fromSize, this.inputSize)
  }

  async extract(images: ImageBatch): Promise<ExtractedFeatures> {
    this.checkImages(images)
    const n = imageCount(images)
    const features = new Float32Array(n * FEATURE_DIM)
    const outputs = this.header.task === 'classes' ? this.header.numClasses : 4
    const logits = new Float32Array(n * outputs)
    const batch = 256
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch)
      const [f, l] = tf.tidy(() => {
        const out = classifierForward(this.weights, imagesToTensor(sliceImages(images, start, end), this.inputSize, [-1, 1]))
        return [out.features, out.logits]
      })
      features.set(await f.data(), start * FEATURE_DIM)
      logits.set(await l.data(), start * outputs)
      tf.dispose([f, l])
    }
    return {
      features: { rows: n, cols: FEATURE_DIM, data: features },
      predictedClasses: this.header.task === 'classes' ? argmaxRows(logits, n, outputs) : undefined,
    }
  }

  dispose(): void {
    tf.dispose(Object.values(this.weights))
  }

  private checkImages(images: ImageBatch): void {
    if (images.imageSize !== this.header.imageSize || images.channels !== this.header.channels) {
      throw new Error(
        `this dataset classifier was trained on ${this.header.imageSize}x${this.header.imageSize}x${this.header.channels} images, ` +
          `got ${images.imageSize}x${images.imageSize}x${images.channels}`,
      )
    }
  }

  private async measureAccuracy(data: LabelledImages, indices: Int32Array): Promise<HeldOutAccuracy> {
    const images = pickImages(data, indices)
    const outputs = this.header.task === 'classes' ? this.header.numClasses : 4
    let correct = 0
    let total = 0
    if (this.header.task === 'classes') {
      const { predictedClasses } = await this.extract(images)
      predictedClasses!.forEach((p, i) => (correct += p === data.labels[indices[i]] ? 1 : 0))
      total = indices.length
    } else {
      for (let r = 0; r < 4; r++) {
        const l = tf.tidy(() => classifierForward(this.weights, rotate(imagesToTensor(images, this.inputSize, [-1, 1]), r)).logits)
        const predicted = argmaxRows(await l.data(), indices.length, outputs)
        l.dispose()
        predicted.forEach((p) => (correct += p === r ? 1 : 0))
        total += indices.length
      }
    }
    return { accuracy: correct / total, nHeldOut: total, chance: 1 / outputs }
  }
}

/** x: [B, S, S, C] rotated by k * 90 degrees. */
function rotate(x: tf.Tensor4D, k: number): tf.Tensor4D {
  let out = x
  for (let i = 0; i < k; i++) out = tf.reverse(tf.transpose(out, [0, 2, 1, 3]), [2])
  return out
}

/** One training batch: the images and their classes, or four rotations of each with the rotation as label. */
function taskBatch(task: ClassifierTask, data: LabelledImages, idx: Int32Array, inputSize: number, outputs: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const x = imagesToTensor(pickImages(data, idx), inputSize, [-1, 1])
  if (task === 'classes') {
    return {
      x,
      y: tf.oneHot(
        tf.tensor1d(
          idx.map((i) => data.labels[i]),
          'int32',
        ),
        outputs,
      ) as tf.Tensor2D,
    }
  }
  const rotations = [0, 1, 2, 3]
  const labels = Int32Array.from(rotations.flatMap((r) => Array.from({ length: idx.length }, () => r)))
  return { x: tf.concat(rotations.map((r) => rotate(x, r))), y: tf.oneHot(tf.tensor1d(labels, 'int32'), outputs) as tf.Tensor2D }
}
