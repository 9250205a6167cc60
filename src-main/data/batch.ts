// Assembling a training batch from sampler indices. (Flips are drawn by the
// engine's rng, inside the trainer: engine/augment/flip.ts.)

import type { LoadedDataset } from './loaded'

/** The images at `indices`: [B, S, S, C] uint8. */
export function gatherBatch(dataset: Pick<LoadedDataset, 'images' | 'imageSize' | 'channels'>, indices: Int32Array): Uint8Array {
  const { images, imageSize: s, channels: c } = dataset
  const imageBytes = s * s * c
  const out = new Uint8Array(indices.length * imageBytes)
  indices.forEach((index, b) => out.set(images.subarray(index * imageBytes, (index + 1) * imageBytes), b * imageBytes))
  return out
}
