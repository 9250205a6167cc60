// The small CNN behind the built-in feature extractor. Three 3x3 conv layers and a linear head
// over the averages of the last conv map's four quadrants (the head needs layout: up from down
// for the rotation task, collar from hem for clothes). The features are the global average of
// that map, i.e. the mean of the quadrant averages, as pool3 is for Inception-v3. Convs use the engine's conv2dSame: tfjs's own weight gradient is missing on
// wasm and pathologically slow on cpu.
import * as tf from '@tensorflow/tfjs-core'
import { conv2dSame } from '../engine/ops/conv2d'

export const FEATURE_DIM = 128
const WIDTHS = [32, 64, FEATURE_DIM] as const

export interface ClassifierShape {
  channels: number
  numClasses: number
}

/** Named weights; names and shapes are the serialization format. */
export type ClassifierWeights = Record<string, tf.Variable>

export function classifierWeightShapes({ channels, numClasses }: ClassifierShape): Record<string, number[]> {
  const [w1, w2, w3] = WIDTHS
  return {
    conv1: [3, 3, channels, w1],
    bias1: [w1],
    conv2: [3, 3, w1, w2],
    bias2: [w2],
    conv3: [3, 3, w2, w3],
    bias3: [w3],
    head: [4 * w3, numClasses],
    headBias: [numClasses],
  }
}

/** He-normal kernels, zero biases, from a seed. */
export function initClassifierWeights(shape: ClassifierShape, seed: number): ClassifierWeights {
  const weights: ClassifierWeights = {}
  Object.entries(classifierWeightShapes(shape)).forEach(([name, s], i) => {
    const fanIn = s.length === 1 ? 1 : s.slice(0, -1).reduce((a, b) => a * b, 1)
    const init = s.length === 1 ? tf.zeros(s) : tf.randomNormal(s, 0, Math.sqrt(2 / fanIn), 'float32', seed + i)
    weights[name] = tf.variable(init, true) // unnamed: tfjs variable names are global
    init.dispose()
  })
  return weights
}

/** 2x2 average pooling as reshape + mean: its gradient exists on every backend. x: [B, H, W, C], H and W even. */
function pool2(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape
  return tf.mean(tf.reshape(x, [b, h / 2, 2, w / 2, 2, c]), [2, 4]) as tf.Tensor4D
}

function convRelu(x: tf.Tensor4D, w: tf.Variable, bias: tf.Variable): tf.Tensor4D {
  return tf.relu(tf.add(conv2dSame(x, w as tf.Tensor4D), bias)) as tf.Tensor4D
}

/** x: [B, S, S, C] in [-1, 1], S divisible by 4 -> features [B, 128], logits [B, numClasses]. */
export function classifierForward(w: ClassifierWeights, x: tf.Tensor4D): { features: tf.Tensor2D; logits: tf.Tensor2D } {
  let h = pool2(convRelu(x, w.conv1, w.bias1)) // [B, S/2, S/2, 32]
  h = pool2(convRelu(h, w.conv2, w.bias2)) // [B, S/4, S/4, 64]
  h = convRelu(h, w.conv3, w.bias3) // [B, S/4, S/4, 128]
  const features = tf.mean(h, [1, 2]) as tf.Tensor2D // [B, 128]
  const logits = tf.add(tf.matMul(quadrantAverages(h), w.head), w.headBias) as tf.Tensor2D
  return { features, logits }
}

/** h: [B, n, n, C] -> [B, 4C]: averages of the top-left, top-right, bottom-left, bottom-right quadrants (odd n: they share the middle row/column). */
function quadrantAverages(h: tf.Tensor4D): tf.Tensor2D {
  const [b, n, , c] = h.shape
  const size = Math.ceil(n / 2)
  const starts = [0, n - size]
  const parts = starts.flatMap((y) => starts.map((x) => tf.mean(tf.slice(h, [0, y, x, 0], [b, size, size, c]), [1, 2])))
  return tf.concat(parts, 1) as tf.Tensor2D
}

/** Side fed to the network: the image side rounded down to a multiple of 4, at most 32 (cost). */
export function classifierInputSize(imageSize: number): number {
  if (imageSize < 8) throw new Error(`the dataset classifier needs images of at least 8x8, got ${imageSize}x${imageSize}`)
  return Math.min(32, 4 * Math.floor(imageSize / 4))
}
