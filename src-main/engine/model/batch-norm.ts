// Batch norm for the generator: plain (learned gain and bias) or class-conditional
// (BigGAN's ccbn: gain = 1 + embed_g(y), bias = embed_b(y), SN embeddings).
// Training passes normalise with batch statistics and may fold them into the
// running statistics (momentum 0.1, as torch); evaluation uses the running ones.
// Data-parallel replicas share their statistics, so the result is the full batch's.
import * as tf from '@tensorflow/tfjs-core'
import { allReduceSum } from '../parallel/all-reduce'
import type { Collective } from '../parallel/collective'
import type { ForwardContext, ParamBuilder } from './params'
import { SNEmbedding } from './sn-layers'

const EPS = 1e-5
const MOMENTUM = 0.1

/** x: [B, H, W, C] -> (x - mean) / sqrt(var + eps), with the statistics chosen by ctx. */
class Normalizer {
  private readonly meanName: string
  private readonly varName: string

  constructor(b: ParamBuilder, name: string, channels: number) {
    this.meanName = `${name}.runningMean`
    this.varName = `${name}.runningVar`
    b.buffer(this.meanName, [channels], 'zeros')
    b.buffer(this.varName, [channels], 'ones')
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    let mean: tf.Tensor
    let variance: tf.Tensor
    if (ctx.training) {
      ;({ mean, variance } = ctx.collective ? crossReplicaMoments(x, ctx.collective) : tf.moments(x, [0, 1, 2]))
      if (ctx.updateStats) {
        const fold = (name: string, batch: tf.Tensor) => {
          const running = ctx.store.buffer(name)
          running.assign(tf.add(tf.mul(running, 1 - MOMENTUM), tf.mul(batch, MOMENTUM)))
        }
        fold(this.meanName, mean)
        fold(this.varName, variance)
      }
    } else {
      mean = ctx.store.buffer(this.meanName)
      variance = ctx.store.buffer(this.varName)
    }
    return tf.mul(tf.sub(x, mean), inverseStd(variance))
  }
}

/**
 * tf.moments over the whole batch when each replica holds a share of it (as
 * BigGAN's cross-replica BN): sums are all-reduced, then divided by the global
 * count; two passes, like tf.moments, rather than E[x^2] - E[x]^2. x: [b, H, W, C] -> [C], [C].
 */
function crossReplicaMoments(x: tf.Tensor4D, collective: Collective): { mean: tf.Tensor; variance: tf.Tensor } {
  const [b, h, w] = x.shape
  const count = b * h * w * collective.size
  const mean = tf.div(allReduceSum(tf.sum(x, [0, 1, 2]), collective), count)
  const variance = tf.div(allReduceSum(tf.sum(tf.square(tf.sub(x, mean)), [0, 1, 2]), collective), count)
  return { mean, variance }
}

/** 1 / sqrt(variance + eps); exported so a model export bakes exactly what evaluation computes. */
export function inverseStd(variance: tf.Tensor): tf.Tensor {
  return tf.rsqrt(tf.add(variance, EPS))
}

export interface BatchNormLike {
  /** x: [B, H, W, C], labels: [B] -> [B, H, W, C]. */
  apply(x: tf.Tensor4D, labels: tf.Tensor1D, ctx: ForwardContext): tf.Tensor4D
}

export class BatchNorm implements BatchNormLike {
  private readonly norm: Normalizer

  constructor(
    b: ParamBuilder,
    private readonly name: string,
    channels: number,
  ) {
    this.norm = new Normalizer(b, name, channels)
    b.param(`${name}.gain`, [channels], 'ones')
    b.param(`${name}.bias`, [channels], 'zeros')
  }

  apply(x: tf.Tensor4D, _labels: tf.Tensor1D, ctx: ForwardContext): tf.Tensor4D {
    const gain = ctx.store.param(`${this.name}.gain`)
    return tf.add(tf.mul(this.norm.apply(x, ctx), gain), ctx.store.param(`${this.name}.bias`))
  }
}

export class ConditionalBatchNorm implements BatchNormLike {
  private readonly norm: Normalizer
  private readonly gain: SNEmbedding
  private readonly bias: SNEmbedding

  constructor(b: ParamBuilder, name: string, channels: number, numClasses: number, sn: boolean) {
    this.norm = new Normalizer(b, name, channels)
    this.gain = new SNEmbedding(b, `${name}.gain`, numClasses, channels, { sn })
    this.bias = new SNEmbedding(b, `${name}.bias`, numClasses, channels, { sn })
  }

  apply(x: tf.Tensor4D, labels: tf.Tensor1D, ctx: ForwardContext): tf.Tensor4D {
    const [batch, , , c] = x.shape
    const gain = tf.reshape(tf.add(1, this.gain.apply(labels, ctx)), [batch, 1, 1, c]) // [B, 1, 1, C]
    const bias = tf.reshape(this.bias.apply(labels, ctx), [batch, 1, 1, c])
    return tf.add(tf.mul(this.norm.apply(x, ctx), gain), bias)
  }
}
