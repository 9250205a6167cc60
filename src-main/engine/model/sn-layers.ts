// Conv, linear and embedding layers, each optionally spectrally normalised
// (BigGAN's SNConv2d / SNLinear / SNEmbedding). Weights are orthogonally initialised.
import * as tf from '@tensorflow/tfjs-core'
import { conv2dSame } from '../ops/conv2d'
import { embed } from '../ops/embedding'
import type { ForwardContext, ParamBuilder } from './params'
import { SpectralNorm } from './spectral-norm'

/** A weight that is either used as stored or divided by its spectral norm. */
class Weight {
  readonly sn: SpectralNorm | null

  constructor(
    b: ParamBuilder,
    readonly name: string,
    shape: number[],
    sn: boolean,
  ) {
    b.param(name, shape, 'orthogonal')
    this.sn = sn ? new SpectralNorm(b, name, shape) : null
  }

  value(ctx: ForwardContext): tf.Tensor {
    return this.sn ? this.sn.weight(ctx) : ctx.store.param(this.name)
  }
}

interface LayerOptions {
  sn: boolean
  bias?: boolean
}

/** Stride-1 'same' conv. x: [B, H, W, cin] -> [B, H, W, cout]. */
export class SNConv2d {
  private readonly w: Weight
  private readonly biasName: string | null

  constructor(b: ParamBuilder, name: string, cin: number, cout: number, k: 1 | 3, opts: LayerOptions) {
    this.w = new Weight(b, `${name}.w`, [k, k, cin, cout], opts.sn)
    this.biasName = opts.bias === false ? null : `${name}.b`
    if (this.biasName) b.param(this.biasName, [cout], 'zeros')
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const y = conv2dSame(x, this.w.value(ctx) as tf.Tensor4D, ctx.weightGradients !== false)
    return this.biasName ? tf.add(y, ctx.store.param(this.biasName)) : y
  }
}

/** x: [B, cin] -> [B, cout]. */
export class SNLinear {
  private readonly w: Weight
  private readonly biasName: string | null

  constructor(b: ParamBuilder, name: string, cin: number, cout: number, opts: LayerOptions) {
    this.w = new Weight(b, `${name}.w`, [cin, cout], opts.sn)
    this.biasName = opts.bias === false ? null : `${name}.b`
    if (this.biasName) b.param(this.biasName, [cout], 'zeros')
  }

  apply(x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D {
    const y = tf.matMul(x, this.w.value(ctx) as tf.Tensor2D) as tf.Tensor2D
    return this.biasName ? (tf.add(y, ctx.store.param(this.biasName)) as tf.Tensor2D) : y
  }
}

/** labels: [B] int32 -> [B, dim]. */
export class SNEmbedding {
  private readonly w: Weight

  constructor(b: ParamBuilder, name: string, numClasses: number, dim: number, opts: { sn: boolean }) {
    this.w = new Weight(b, `${name}.w`, [numClasses, dim], opts.sn)
  }

  apply(labels: tf.Tensor1D, ctx: ForwardContext): tf.Tensor2D {
    return embed(labels, this.w.value(ctx) as tf.Tensor2D)
  }
}
