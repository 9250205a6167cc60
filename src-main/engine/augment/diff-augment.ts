// DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient
// GAN Training"), as its reference code (mit-han-lab/data-efficient-gans, DiffAugment_pytorch.py):
//   colour:      brightness + U(-0.5, 0.5); saturation (x - channel mean) * U(0, 2) + mean;
//                contrast (x - image mean) * U(0.5, 1.5) + mean
//   translation: shift by an integer in [-S/8, S/8] on each axis, zeros (mid-grey) shifted in
//   cutout:      one S/2 x S/2 square of zeros, its centre anywhere in the image
// Every op is differentiable in the image (G learns through it): translation is a
// product with one-hot shift matrices, cutout a product with a 0/1 mask, so no gather
// (whose gradient wasm lacks). The random numbers are drawn by the caller from the
// trainer's Rng (drawAugmentations), so a run and its resume augment alike.
// Each op is applied to an image with probability p (ADA's per-transform probability).
import * as tf from '@tensorflow/tfjs-core'
import type { AugmentOp } from '../../../src-shared/run-config'
import type { Rng } from '../../random'

/** One image's augmentation; the identity where an op was not drawn. */
export interface AugmentDraw {
  brightness: number
  saturation: number
  contrast: number
  /** Rows and columns shifted: out[i][j] = x[i + shiftRows][j + shiftCols], 0 outside. */
  shiftRows: number
  shiftCols: number
  /** Cutout square: rows and columns [top, top + size) x [left, left + size), clipped; size 0 = none. */
  cutout: { top: number; left: number; size: number }
}

/** Uniforms drawn per image, whatever the ops and p: the rng advances by the same amount in every run of a config. */
export const DRAWS_PER_IMAGE = 10

/** n images' draws for side `side`; each op applies with probability p. */
export function drawAugmentations(rng: Rng, n: number, side: number, ops: readonly AugmentOp[], p: number): AugmentDraw[] {
  const shift = Math.floor(side * 0.125 + 0.5)
  const size = Math.floor(side * 0.5 + 0.5)
  return Array.from({ length: n }, () => {
    const u = Array.from({ length: DRAWS_PER_IMAGE }, () => rng.uniform())
    const on = (op: AugmentOp, k: number) => ops.includes(op) && u[k] < p
    // u: 0-2 whether colour, translation, cutout apply; 3-5 colour; 6-7 shifts; 8-9 the cutout centre.
    const [color, translate, cut] = [on('color', 0), on('translation', 1), on('cutout', 2)]
    // The reference draws the centre in [0, side + (1 - size % 2)) and clips the square to the image.
    const centreRows = Math.floor(u[8] * (side + 1 - (size % 2)))
    const centreCols = Math.floor(u[9] * (side + 1 - (size % 2)))
    return {
      brightness: color ? u[3] - 0.5 : 0,
      saturation: color ? u[4] * 2 : 1,
      contrast: color ? u[5] + 0.5 : 1,
      shiftRows: translate ? Math.floor(u[6] * (2 * shift + 1)) - shift : 0,
      shiftCols: translate ? Math.floor(u[7] * (2 * shift + 1)) - shift : 0,
      cutout: cut ? { top: centreRows - Math.floor(size / 2), left: centreCols - Math.floor(size / 2), size } : { top: 0, left: 0, size: 0 },
    }
  })
}

/** Per-image factors as [B, 1, 1, 1]. */
function perImage(draws: AugmentDraw[], pick: (d: AugmentDraw) => number): tf.Tensor4D {
  return tf.tensor4d(draws.map(pick), [draws.length, 1, 1, 1])
}

/** x: [B, H, W, C] -> the same, colour-jittered (brightness, then saturation, then contrast). */
function color(x: tf.Tensor4D, draws: AugmentDraw[]): tf.Tensor4D {
  let y = tf.add(
    x,
    perImage(draws, (d) => d.brightness),
  )
  const channelMean = tf.mean(y, 3, true) // [B, H, W, 1]
  y = tf.add(
    tf.mul(
      tf.sub(y, channelMean),
      perImage(draws, (d) => d.saturation),
    ),
    channelMean,
  )
  const imageMean = tf.mean(y, [1, 2, 3], true) // [B, 1, 1, 1]
  return tf.add(
    tf.mul(
      tf.sub(y, imageMean),
      perImage(draws, (d) => d.contrast),
    ),
    imageMean,
  )
}

/** [B, S, S] one-hot rows: m[b][i][k] = 1 where k = i + shift(b) lies inside the image. */
function shiftMatrices(draws: AugmentDraw[], side: number, shift: (d: AugmentDraw) => number): tf.Tensor3D {
  const m = new Float32Array(draws.length * side * side)
  draws.forEach((d, b) => {
    for (let i = 0; i < side; i++) {
      const k = i + shift(d)
      if (k >= 0 && k < side) m[(b * side + i) * side + k] = 1
    }
  })
  return tf.tensor3d(m, [draws.length, side, side])
}

/** x: [B, S, S, C] -> the same, shifted per image (zeros shifted in): out = R x C^T per image and channel. */
function translate(x: tf.Tensor4D, draws: AugmentDraw[]): tf.Tensor4D {
  const [b, s, , c] = x.shape
  const rows = tf.matMul(
    shiftMatrices(draws, s, (d) => d.shiftRows),
    tf.reshape(x, [b, s, s * c]),
  ) // [B, S(i), S(j) * C]
  const byColumn = tf.reshape(tf.transpose(tf.reshape(rows, [b, s, s, c]), [0, 2, 1, 3]), [b, s, s * c]) // [B, S(j), S(i) * C]
  const cols = tf.matMul(
    shiftMatrices(draws, s, (d) => d.shiftCols),
    byColumn,
  )
  return tf.transpose(tf.reshape(cols, [b, s, s, c]), [0, 2, 1, 3])
}

/** x: [B, S, S, C] -> the same with each image's square set to 0. */
function cutout(x: tf.Tensor4D, draws: AugmentDraw[]): tf.Tensor4D {
  const [b, s] = x.shape
  const mask = new Float32Array(b * s * s).fill(1)
  draws.forEach(({ cutout: { top, left, size } }, n) => {
    for (let i = Math.max(0, top); i < Math.min(s, top + size); i++)
      for (let j = Math.max(0, left); j < Math.min(s, left + size); j++) mask[(n * s + i) * s + j] = 0
  })
  return tf.mul(x, tf.tensor4d(mask, [b, s, s, 1]))
}

/** x: [B, S, S, C] in [-1, 1] -> augmented [B, S, S, C]; ops in DiffAugment's order (colour, translation, cutout). */
export function diffAugment(x: tf.Tensor4D, draws: AugmentDraw[], ops: readonly AugmentOp[]): tf.Tensor4D {
  if (draws.length !== x.shape[0]) throw new Error(`diffAugment: ${draws.length} draws for a batch of ${x.shape[0]}`)
  if (x.shape[1] !== x.shape[2]) throw new Error(`diffAugment: images must be square, got ${x.shape[1]}x${x.shape[2]}`)
  let y = x
  // (x - mean) * 1 + mean is x only up to rounding: skip colour when no image draws it.
  if (ops.includes('color') && draws.some((d) => d.brightness !== 0 || d.saturation !== 1 || d.contrast !== 1)) y = color(y, draws)
  if (ops.includes('translation')) y = translate(y, draws)
  if (ops.includes('cutout')) y = cutout(y, draws)
  return y
}
