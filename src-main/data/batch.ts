// Assembling a training batch from sampler indices, with the optional
// horizontal flip. Flip decisions come from (seed, batch number) alone, so a
// resumed run flips the same images as an uninterrupted one.

import type { LoadedDataset } from './loaded'
import { seededRandom } from '../metrics/seeded-random'
import { hash32 } from './random'

const STREAM_FLIP = 4

/** Which images of batch `batchNumber` are mirrored: [count], 1 = flip. */
export function flipMask(seed: number, batchNumber: number, count: number): Uint8Array {
  const random = seededRandom(hash32(seed, STREAM_FLIP, batchNumber))
  return Uint8Array.from({ length: count }, () => (random() < 0.5 ? 1 : 0))
}

/** The images at `indices`: [B, S, S, C] uint8; rows of images with flips[b] = 1 are mirrored. */
export function gatherBatch(
  dataset: Pick<LoadedDataset, 'images' | 'imageSize' | 'channels'>,
  indices: Int32Array,
  flips?: Uint8Array,
): Uint8Array {
  const { images, imageSize: s, channels: c } = dataset
  const imageBytes = s * s * c
  const out = new Uint8Array(indices.length * imageBytes)
  indices.forEach((index, b) => {
    const source = images.subarray(index * imageBytes, (index + 1) * imageBytes)
    if (!flips?.[b]) {
      out.set(source, b * imageBytes)
      return
    }
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const from = (y * s + (s - 1 - x)) * c
        out.set(source.subarray(from, from + c), b * imageBytes + (y * s + x) * c)
      }
    }
  })
  return out
}
