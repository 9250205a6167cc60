// Exponential moving average of the generator (BigGAN's ema): samples from the
// averaged weights are usually cleaner than from the raw ones.
import * as tf from '@tensorflow/tfjs-core'
import type { ParamStore } from '../model/params'
import { uNameOf } from '../model/spectral-norm'

/**
 * ema = decay * ema + (1 - decay) * raw for weights and BN running statistics.
 * Power-iteration vectors are copied, not averaged: an average of unit
 * vectors is not one. Call inside tf.tidy.
 */
export function updateEma(ema: ParamStore, raw: ParamStore, decay: number): void {
  const isU = new Set([...raw.params.keys()].map(uNameOf))
  for (const [name, r] of raw.entries()) {
    const e = raw.params.has(name) ? ema.param(name) : ema.buffer(name)
    if (isU.has(name) || decay === 0) e.assign(tf.clone(r))
    else e.assign(tf.add(tf.mul(e, decay), tf.mul(r, 1 - decay)))
  }
}
