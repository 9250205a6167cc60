// Spectral normalisation (Miyato et al.), written once and shared by every
// SN layer, as BigGAN's SN mix-in: W_sn = W / sigma(W), sigma from ONE power
// iteration per pass with a persistent vector u (a buffer: saved, not trained).
//
// The weight is viewed as a matrix [everything but the last axis, last axis]
// (conv [k, k, in, out] -> [k*k*in, out]); that is the transpose of BigGAN's
// (out, in*kh*kw), which has the same singular values. u has the last axis' size.
import * as tf from '@tensorflow/tfjs-core'
import { stopGradient } from '../ops/stop-gradient'
import type { ForwardContext, ParamBuilder, ParamStore } from './params'

const EPS = 1e-12

function l2normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x), EPS))
}

/** Name of the persistent power-iteration vector of a weight. */
export function uNameOf(weightName: string): string {
  return `${weightName}.u`
}

/**
 * sigma(W) from one power iteration starting at the stored u. u and v carry no
 * gradient (as BigGAN's torch.no_grad); sigma does, through W. The new u is
 * stored only when `update` (evaluation passes leave it alone).
 */
export function spectralSigma(store: ParamStore, weightName: string, update: boolean): tf.Scalar {
  const param = store.param(weightName)
  const w = tf.reshape(param, [-1, param.shape[param.rank - 1]]) as tf.Tensor2D // [K, out]
  const wc = stopGradient(w)
  const u = store.buffer(uNameOf(weightName)) as tf.Tensor2D // [1, out]
  const v = l2normalize(tf.matMul(u, wc, false, true)) // [1, K]
  const uNew = l2normalize(tf.matMul(v, wc)) // [1, out]
  if (update) store.buffer(uNameOf(weightName)).assign(uNew)
  return tf.sum(tf.mul(tf.matMul(v, w), uNew)) // v^T W u
}

/** W / sigma(W): the weight every SN layer uses (see spectralSigma for `update`). */
export function spectrallyNormalized(store: ParamStore, weightName: string, update: boolean): tf.Tensor {
  return tf.div(store.param(weightName), spectralSigma(store, weightName, update))
}

export class SpectralNorm {
  constructor(
    b: ParamBuilder,
    readonly weightName: string,
    shape: number[],
  ) {
    b.buffer(uNameOf(weightName), [1, shape[shape.length - 1]], 'normal') // u: [1, out]
  }

  /** The normalised weight, same shape as the stored one. */
  weight(ctx: ForwardContext): tf.Tensor {
    return spectrallyNormalized(ctx.store, this.weightName, ctx.updateSn)
  }
}
