// The step's augmentations, drawn from the engine rng so a resumed run
// augments exactly as an uninterrupted one: the left-right flip of real
// images (flipAugment) and DiffAugment of everything D sees (augment policy).
// Every replica draws the whole batch's randomness and keeps its slice.
import * as tf from '@tensorflow/tfjs-core'
import type { RunConfig } from '../../../src-shared/run-config'
import type { Rng } from '../../random'
import type { AdaptiveState } from '../augment/adaptive-probability'
import { diffAugment, drawAugmentations } from '../augment/diff-augment'
import type { Batch } from './parts'
import { ownSlice, type Share } from './replica-share'

/** uint8 [B, H, W, C] -> float [-1, 1], each image flipped left-right with probability 1/2 if flipAugment. */
export function realImageTensor(batch: Batch, config: RunConfig, rng: Rng, share: Share): tf.Tensor4D {
  const { imageSize: s, channels: c } = config
  const n = batch.labels.length
  if (batch.images.length !== n * s * s * c) {
    throw new Error(`trainStep: batch has ${batch.images.length} bytes, expected ${n} images x ${s}x${s}x${c}`)
  }
  const x = new Float32Array(batch.images.length)
  const row = s * c
  // One draw per image of the whole batch, as for the latents.
  const flips = Array.from({ length: config.flipAugment ? n * share.size : 0 }, () => rng.uniform() < 0.5).slice(share.rank * n)
  for (let i = 0; i < n; i++) {
    const flip = flips[i] ?? false
    for (let y = 0; y < s; y++) {
      const base = (i * s + y) * row
      for (let px = 0; px < s; px++) {
        const src = base + (flip ? s - 1 - px : px) * c
        const dst = base + px * c
        for (let k = 0; k < c; k++) x[dst + k] = batch.images[src + k] / 127.5 - 1
      }
    }
  }
  return tf.tensor4d(x, [n, s, s, c])
}

/** DiffAugment with this step's p, images [n, S, S, C] of this replica. */
export function augmented(x: tf.Tensor4D, config: RunConfig, rng: Rng, augment: AdaptiveState, share: Share): tf.Tensor4D {
  const { policy, ops } = config.augment
  if (policy === 'off') return x
  const n = x.shape[0]
  const draws = ownSlice(drawAugmentations(rng, n * share.size, config.imageSize, ops, augment.p), n, share)
  return diffAugment(x, draws, ops)
}
