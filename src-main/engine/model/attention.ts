// The self-attention block of SAGAN (Zhang et al. 2019, section 3), as BigGAN's Attention.
//
// Names follow the paper, with the code's names in brackets:
//   query g(x) [theta]: 1x1 conv C -> C/8
//   key   f(x) [phi]  : 1x1 conv C -> C/8
//   value h(x) [g]    : 1x1 conv C -> C/2 (the official code; the paper text says C)
//   out   v    [o]    : 1x1 conv C/2 -> C
//   beta = softmax over the KEY axis of query . key; y = x + gamma * v(beta . value)
// Variant 'pooled' (default, the official code): keys and values are 2x2
// max-pooled, so the map is N x N/4. Variant 'full' (the paper text): N x N.
// All four convs are spectrally normalised and have no bias; gamma starts at 0.
import * as tf from '@tensorflow/tfjs-core'
import { attendPerImage } from '../ops/attention-core'
import { nativeAttend } from '../ops/native/attention'
import { maxPool2x2 } from '../ops/max-pool'
import type { ForwardContext, ParamBuilder } from './params'
import { SNConv2d } from './sn-layers'

export type AttentionVariant = 'pooled' | 'full'

export class SelfAttention {
  private readonly query: SNConv2d
  private readonly key: SNConv2d
  private readonly value: SNConv2d
  private readonly out: SNConv2d
  readonly gammaName: string

  constructor(
    b: ParamBuilder,
    readonly name: string,
    readonly channels: number,
    readonly variant: AttentionVariant,
    sn: boolean,
  ) {
    if (channels < 8 || channels % 8 !== 0) {
      throw new Error(`${name}: attention needs a multiple of 8 channels (C/8 queries and keys), got ${channels}; raise the width (gCh/dCh)`)
    }
    const opts = { sn, bias: false }
    this.query = new SNConv2d(b, `${name}.query`, channels, channels / 8, 1, opts)
    this.key = new SNConv2d(b, `${name}.key`, channels, channels / 8, 1, opts)
    this.value = new SNConv2d(b, `${name}.value`, channels, channels / 2, 1, opts)
    this.out = new SNConv2d(b, `${name}.out`, channels / 2, channels, 1, opts)
    this.gammaName = `${name}.gamma`
    b.param(this.gammaName, [], 'zeros')
  }

  /** Side of the key grid for an input of side `side`. */
  keySide(side: number): number {
    return this.variant === 'pooled' ? side / 2 : side
  }

  /** softmax(q k^T) v: [B, N, C/8], [B, M, C/8], [B, M, C/2] -> [B, N, C/2]. */
  private attend(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, ctx: ForwardContext): tf.Tensor3D {
    // Training on wasm and cpu: oneDNN where the native addon is built; else, on wasm, image by
    // image, where XNNPACK takes every product (measured at G's 32x32, batch 32: forward
    // 301 -> 58 ms, forward and backward 972 -> 240 ms).
    // Evaluation keeps the batched ops, which the exported graph model reproduces bit for bit.
    if (ctx.training && !ctx.onAttention) {
      const attended = nativeAttend(q, k, v) ?? (tf.getBackend() === 'wasm' ? attendPerImage(q, k, v) : null)
      if (attended) return attended
    }
    const beta = tf.softmax(tf.matMul(q, k, false, true)) as tf.Tensor3D // [B, N, M]; softmax over keys (last axis)
    ctx.onAttention?.(this.name, beta)
    return tf.matMul(beta, v)
  }

  /** x: [B, H, W, C] -> [B, H, W, C]. */
  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const [b, h, w, c] = x.shape
    const pool = (t: tf.Tensor4D) => (this.variant === 'pooled' ? maxPool2x2(t) : t)
    const n = h * w
    const m = this.keySide(h) * this.keySide(w)
    const q = tf.reshape(this.query.apply(x, ctx), [b, n, c / 8]) as tf.Tensor3D // [B, N, C/8]
    const k = tf.reshape(pool(this.key.apply(x, ctx)), [b, m, c / 8]) as tf.Tensor3D // [B, M, C/8]
    const v = tf.reshape(pool(this.value.apply(x, ctx)), [b, m, c / 2]) as tf.Tensor3D // [B, M, C/2]
    const attended = tf.reshape(this.attend(q, k, v, ctx), [b, h, w, c / 2]) // [B, H, W, C/2]
    return tf.add(x, tf.mul(ctx.store.param(this.gammaName), this.out.apply(attended as tf.Tensor4D, ctx)))
  }
}
