// Residual blocks of G (upsampling, BigGAN's GBlock) and D (downsampling, DBlock).
import * as tf from '@tensorflow/tfjs-core'
import { upsampleNearest2x } from '../ops/upsample'
import type { BatchNormLike } from './batch-norm'
import type { ForwardContext, ParamBuilder } from './params'
import { SNConv2d } from './sn-layers'

/** x: [B, H, W, C] -> [B, H/2, W/2, C], 2x2 average. */
function downsample(x: tf.Tensor4D): tf.Tensor4D {
  return tf.avgPool(x, 2, 2, 'valid')
}

interface ResidualConvs {
  conv1: SNConv2d
  conv2: SNConv2d
  /** 1x1 conv on the skip path; null when the block keeps shape and resolution (identity skip). */
  shortcut: SNConv2d | null
}

/** The two 3x3 convs every residual block has, and its shortcut. */
function residualConvs(b: ParamBuilder, name: string, cin: number, cout: number, sn: boolean, resamples: boolean): ResidualConvs {
  return {
    conv1: new SNConv2d(b, `${name}.conv1`, cin, cout, 3, { sn }),
    conv2: new SNConv2d(b, `${name}.conv2`, cout, cout, 3, { sn }),
    shortcut: cin !== cout || resamples ? new SNConv2d(b, `${name}.shortcut`, cin, cout, 1, { sn }) : null,
  }
}

interface GBlockOptions {
  sn: boolean
  /** false for the residual block that stands in for attention (ablation). */
  upsample: boolean
  makeBn: (name: string, channels: number) => BatchNormLike
}

/**
 * x: [B, H, W, cin] -> [B, 2H, 2W, cout] (or [B, H, W, cout] without upsampling).
 * BN, ReLU, upsample, conv3x3, BN, ReLU, conv3x3; shortcut: upsample, conv1x1.
 */
export class GBlock {
  private readonly bn1: BatchNormLike
  private readonly bn2: BatchNormLike
  private readonly convs: ResidualConvs

  constructor(
    b: ParamBuilder,
    name: string,
    cin: number,
    cout: number,
    private readonly opts: GBlockOptions,
  ) {
    this.bn1 = opts.makeBn(`${name}.bn1`, cin)
    this.bn2 = opts.makeBn(`${name}.bn2`, cout)
    this.convs = residualConvs(b, name, cin, cout, opts.sn, opts.upsample)
  }

  apply(x: tf.Tensor4D, labels: tf.Tensor1D, ctx: ForwardContext): tf.Tensor4D {
    const up = (t: tf.Tensor4D) => (this.opts.upsample ? upsampleNearest2x(t) : t)
    const { conv1, conv2, shortcut } = this.convs
    let h = up(tf.relu(this.bn1.apply(x, labels, ctx)))
    h = conv1.apply(h, ctx)
    h = conv2.apply(tf.relu(this.bn2.apply(h, labels, ctx)), ctx)
    const skip = shortcut ? shortcut.apply(up(x), ctx) : x
    return tf.add(h, skip)
  }
}

interface DBlockOptions {
  sn: boolean
  /** ReLU before the first conv: every block except the one reading the image. */
  preactivation: boolean
  downsample: boolean
}

/**
 * x: [B, H, W, cin] -> [B, H/2, W/2, cout] (or [B, H, W, cout]).
 * (ReLU), conv3x3, ReLU, conv3x3, (avg-pool); shortcut: conv1x1 and avg-pool when needed.
 */
export class DBlock {
  private readonly convs: ResidualConvs

  constructor(
    b: ParamBuilder,
    name: string,
    cin: number,
    cout: number,
    private readonly opts: DBlockOptions,
  ) {
    this.convs = residualConvs(b, name, cin, cout, opts.sn, opts.downsample)
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    let h = this.opts.preactivation ? tf.relu(x) : x
    h = this.convs.conv1.apply(h, ctx)
    h = this.down(this.convs.conv2.apply(tf.relu(h), ctx))
    return tf.add(h, this.skip(x, ctx))
  }

  private skip(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const { shortcut } = this.convs
    if (!shortcut) return x
    // BigGAN: preactivated blocks convolve then pool; the first block pools then convolves.
    return this.opts.preactivation ? this.down(shortcut.apply(x, ctx)) : shortcut.apply(this.down(x), ctx)
  }

  private down(x: tf.Tensor4D): tf.Tensor4D {
    return this.opts.downsample ? downsample(x) : x
  }
}
