// What one run's trainer is made of: G, D, the EMA copy, both optimisers and
// the rng, built from the effective config. Every other engine module works on
// these parts; SaganTrainer only holds them together.
import * as tf from '@tensorflow/tfjs-core'
import type { RunConfig } from '../../../src-shared/run-config'
import { Rng } from '../../random'
import { Discriminator } from '../model/discriminator'
import { Generator } from '../model/generator'
import { ParamBuilder, ParamStore } from '../model/params'
import { Adam } from './adam'

export interface TrainingData {
  numClasses: number
  classNames: string[]
  imageSize: number
  channels: 1 | 3
}

export interface Batch {
  /** [B, H, W, C] row-major, 0..255. */
  images: Uint8Array
  /** [B] class per image (0 when unconditional). */
  labels: Int32Array
}

export interface TrainerParts {
  readonly config: RunConfig
  readonly rng: Rng
  readonly g: Generator
  readonly d: Discriminator
  readonly gStore: ParamStore
  readonly dStore: ParamStore
  readonly emaStore: ParamStore | null
  readonly adamG: Adam
  readonly adamD: Adam
}

/** The config the nets are built from: image geometry and classes come from the dataset. */
export function effectiveConfig(config: RunConfig, data: TrainingData): RunConfig {
  if (data.imageSize !== config.imageSize) {
    throw new Error(
      `Dataset images are ${data.imageSize} px but the run config says imageSize ${config.imageSize}; prepare the dataset at ${config.imageSize} px or change imageSize`,
    )
  }
  if (data.numClasses === 1) throw new Error('Dataset has a single class: train it unconditionally (numClasses 0)')
  return { ...config, channels: data.channels, numClasses: data.numClasses }
}

/** The parts of an effective config; weights drawn from `rng`, or zero (initialWeights false) for a checkpoint to overwrite. */
export function buildParts(config: RunConfig, rng: Rng, initialWeights: boolean): TrainerParts {
  const gStore = new ParamStore('generator')
  const dStore = new ParamStore('discriminator')
  const weightRng = initialWeights ? rng : null
  const g = new Generator(new ParamBuilder(gStore, weightRng), config, config.snG)
  const d = new Discriminator(new ParamBuilder(dStore, weightRng), config, config.snD)
  const emaStore = config.ema.enabled ? gStore.copy('generator EMA') : null
  const { lrG, lrD, beta1, beta2, adamEps: eps } = config
  const adamG = new Adam(gStore.params, { lr: lrG, beta1, beta2, eps })
  const adamD = new Adam(dStore.params, { lr: lrD, beta1, beta2, eps })
  return { config, rng, g, d, gStore, dStore, emaStore, adamG, adamD }
}

/** Every stateful variable by checkpoint name: weights, u vectors, BN statistics, EMA, Adam moments. */
export function namedVariables(parts: TrainerParts): [string, tf.Variable][] {
  const prefixed = (prefix: string, entries: Iterable<[string, tf.Variable]>) => [...entries].map(([n, v]): [string, tf.Variable] => [`${prefix}/${n}`, v])
  return [
    ...prefixed('G', parts.gStore.entries()),
    ...prefixed('D', parts.dStore.entries()),
    ...(parts.emaStore ? prefixed('Gema', parts.emaStore.entries()) : []),
    ...prefixed('adamG.m', parts.adamG.m),
    ...prefixed('adamG.v', parts.adamG.v),
    ...prefixed('adamD.m', parts.adamD.m),
    ...prefixed('adamD.v', parts.adamD.v),
  ]
}

/** Attention layer names, G first, in the order a step's gammas are listed. */
export function attentionLayers(parts: TrainerParts): string[] {
  return [...parts.g.attention, ...parts.d.attention].map((a) => a.name)
}

/** Labels as a tensor, each checked against the run's classes. */
export function labelTensor(config: RunConfig, labels: Int32Array): tf.Tensor1D {
  // Unconditional nets ignore labels, but oneHot still needs a valid index.
  const classes = Math.max(1, config.numClasses)
  for (const l of labels) if (l < 0 || l >= classes) throw new Error(`label ${l} is outside 0..${classes - 1} (numClasses ${config.numClasses})`)
  return tf.tensor1d(labels, 'int32')
}

export function disposeParts(parts: TrainerParts): void {
  for (const store of [parts.gStore, parts.dStore, parts.emaStore]) store?.dispose()
  parts.adamG.dispose()
  parts.adamD.dispose()
}
