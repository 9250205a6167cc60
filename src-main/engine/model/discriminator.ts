// SAGAN discriminator: down-blocks (with attention after the chosen
// resolutions) -> ReLU -> global SUM pool -> projection head
// (Miyato & Koyama): out = linear(h) + sum(embed(y) * h).
import * as tf from '@tensorflow/tfjs-core'
import type { ArchConfig } from './architecture'
import { discriminatorArch } from './architecture'
import { SelfAttention } from './attention'
import { DBlock } from './blocks'
import type { ForwardContext, ParamBuilder } from './params'
import { SNEmbedding, SNLinear } from './sn-layers'

type Stage = DBlock | SelfAttention

export class Discriminator {
  private readonly stages: Stage[] = []
  private readonly linear: SNLinear
  private readonly projection: SNEmbedding | null
  readonly attention: SelfAttention[] = []

  constructor(
    b: ParamBuilder,
    readonly config: ArchConfig,
    sn: boolean,
  ) {
    const arch = discriminatorArch(config)
    arch.blocks.forEach((spec, i) => {
      this.stages.push(new DBlock(b, `D.block${i}`, spec.cin, spec.cout, { sn, preactivation: i > 0, downsample: spec.downsample }))
      if (spec.extra === 'attention') {
        const att = new SelfAttention(b, `D.attention${spec.resolution}`, spec.cout, config.attentionVariant, sn)
        this.attention.push(att)
        this.stages.push(att)
      } else if (spec.extra === 'residual') {
        this.stages.push(new DBlock(b, `D.residual${spec.resolution}`, spec.cout, spec.cout, { sn, preactivation: true, downsample: false }))
      }
    })
    this.linear = new SNLinear(b, 'D.linear', arch.featureChannels, 1, { sn })
    this.projection = config.numClasses > 0 ? new SNEmbedding(b, 'D.projection', config.numClasses, arch.featureChannels, { sn }) : null
  }

  /** x: [B, S, S, channels] in [-1, 1], labels: [B] int32 -> scores [B]. */
  apply(x: tf.Tensor4D, labels: tf.Tensor1D, ctx: ForwardContext): tf.Tensor1D {
    let h = x
    for (const stage of this.stages) h = stage.apply(h, ctx)
    const pooled = tf.sum(tf.relu(h), [1, 2]) as tf.Tensor2D // [B, C]
    let out = tf.reshape(this.linear.apply(pooled, ctx), [-1]) as tf.Tensor1D // [B]
    if (this.projection) out = tf.add(out, tf.sum(tf.mul(this.projection.apply(labels, ctx), pooled), 1))
    return out
  }
}
