// SAGAN generator: z -> linear -> 4x4 map -> up-blocks (with attention after
// the chosen resolutions) -> BN, ReLU, conv3x3, tanh.
import * as tf from '@tensorflow/tfjs-core'
import type { ArchConfig } from './architecture'
import { generatorArch } from './architecture'
import { BatchNorm, type BatchNormLike, ConditionalBatchNorm } from './batch-norm'
import { GBlock } from './blocks'
import { SelfAttention } from './attention'
import type { ForwardContext, ParamBuilder } from './params'
import { SNConv2d, SNLinear } from './sn-layers'

type Stage = { kind: 'block'; block: GBlock } | { kind: 'attention'; block: SelfAttention }

export class Generator {
  private readonly linear: SNLinear
  private readonly stages: Stage[] = []
  private readonly outBn: BatchNorm
  private readonly outConv: SNConv2d
  readonly attention: SelfAttention[] = []
  private readonly bottomChannels: number

  constructor(
    b: ParamBuilder,
    readonly config: ArchConfig,
    sn: boolean,
  ) {
    const arch = generatorArch(config)
    this.bottomChannels = arch.bottomChannels
    this.linear = new SNLinear(b, 'G.linear', config.zDim, 16 * arch.bottomChannels, { sn })
    // Conditional runs get class-conditional BN in every block; unconditional ones plain BN.
    const makeBn = (name: string, channels: number): BatchNormLike =>
      config.numClasses > 0 ? new ConditionalBatchNorm(b, name, channels, config.numClasses, sn) : new BatchNorm(b, name, channels)
    arch.blocks.forEach((spec, i) => {
      this.stages.push({ kind: 'block', block: new GBlock(b, `G.block${i}`, spec.cin, spec.cout, { sn, upsample: true, makeBn }) })
      if (spec.extra === 'attention') {
        const att = new SelfAttention(b, `G.attention${spec.resolution}`, spec.cout, config.attentionVariant, sn)
        this.attention.push(att)
        this.stages.push({ kind: 'attention', block: att })
      } else if (spec.extra === 'residual') {
        const block = new GBlock(b, `G.residual${spec.resolution}`, spec.cout, spec.cout, { sn, upsample: false, makeBn })
        this.stages.push({ kind: 'block', block })
      }
    })
    const last = arch.blocks[arch.blocks.length - 1].cout
    this.outBn = new BatchNorm(b, 'G.outBn', last)
    this.outConv = new SNConv2d(b, 'G.outConv', last, config.channels, 3, { sn })
  }

  /** z: [B, zDim], labels: [B] int32 (ignored when unconditional) -> images [B, S, S, channels] in [-1, 1]. */
  apply(z: tf.Tensor2D, labels: tf.Tensor1D, ctx: ForwardContext): tf.Tensor4D {
    let h = tf.reshape(this.linear.apply(z, ctx), [z.shape[0], 4, 4, this.bottomChannels]) as tf.Tensor4D
    for (const stage of this.stages) {
      h = stage.kind === 'block' ? stage.block.apply(h, labels, ctx) : stage.block.apply(h, ctx)
    }
    h = tf.relu(this.outBn.apply(h, labels, ctx))
    return tf.tanh(this.outConv.apply(h, ctx))
  }
}
