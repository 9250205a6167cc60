// Named weights of one network, and the context every forward pass receives.
// Layers keep only names; the values live in a ParamStore, so the raw
// generator and its EMA copy share one set of layers with two stores.
import * as tf from '@tensorflow/tfjs-core'
import type { Collective } from '../parallel/collective'
import type { Rng } from '../../random'
import { orthogonal } from './orthogonal'

export class ParamStore {
  /** Optimised by Adam. */
  readonly params = new Map<string, tf.Variable>()
  /** Saved but not optimised: spectral-norm u vectors, BN running statistics. */
  readonly buffers = new Map<string, tf.Variable>()

  constructor(readonly label: string) {}

  param(name: string): tf.Variable {
    const v = this.params.get(name)
    if (!v) throw new Error(`${this.label}: no parameter "${name}"`)
    return v
  }

  buffer(name: string): tf.Variable {
    const v = this.buffers.get(name)
    if (!v) throw new Error(`${this.label}: no buffer "${name}"`)
    return v
  }

  /** Every variable, params then buffers, by name. */
  entries(): [string, tf.Variable][] {
    return [...this.params.entries(), ...this.buffers.entries()]
  }

  /** An independent copy (new variables with the same values). */
  copy(label: string): ParamStore {
    const out = new ParamStore(label)
    for (const [name, v] of this.params) out.params.set(name, tf.variable(v, false))
    for (const [name, v] of this.buffers) out.buffers.set(name, tf.variable(v, false))
    return out
  }

  dispose(): void {
    for (const [, v] of this.entries()) v.dispose()
    this.params.clear()
    this.buffers.clear()
  }
}

/** tf.variable keeps its own reference: the temporary tensor must be disposed or it leaks. */
function variableFrom(values: Float32Array, shape: number[], trainable: boolean): tf.Variable {
  const t = tf.tensor(values, shape)
  const v = tf.variable(t, trainable)
  t.dispose()
  return v
}

type InitKind = 'orthogonal' | 'normal' | 'zeros' | 'ones'

/**
 * Creates a network's weights while its layers are constructed. Without an rng
 * every value is zero: used when a checkpoint will overwrite them anyway
 * (orthogonal init of a wide model takes seconds).
 */
export class ParamBuilder {
  constructor(
    readonly store: ParamStore,
    private readonly rng: Rng | null,
  ) {}

  private values(shape: number[], init: InitKind): Float32Array {
    const size = shape.reduce((a, b) => a * b, 1)
    if (!this.rng || init === 'zeros') return new Float32Array(size)
    if (init === 'ones') return new Float32Array(size).fill(1)
    if (init === 'normal') return this.rng.normal(size)
    // treat the weight as [everything but the last axis, last axis]
    const cols = shape[shape.length - 1]
    return orthogonal(size / cols, cols, this.rng)
  }

  param(name: string, shape: number[], init: InitKind): void {
    if (this.store.params.has(name)) throw new Error(`${this.store.label}: parameter "${name}" defined twice`)
    this.store.params.set(name, variableFrom(this.values(shape, init), shape, true))
  }

  buffer(name: string, shape: number[], init: InitKind): void {
    if (this.store.buffers.has(name)) throw new Error(`${this.store.label}: buffer "${name}" defined twice`)
    this.store.buffers.set(name, variableFrom(this.values(shape, init), shape, false))
  }
}

export interface ForwardContext {
  store: ParamStore
  /** BN uses batch statistics (training) or running statistics (evaluation). */
  training: boolean
  /** Keep this pass's power-iteration u: true on exactly one pass per network per step. */
  updateSn: boolean
  /** Fold this pass's batch statistics into the BN running statistics. */
  updateStats: boolean
  /** false when this network's weights are not being trained in this pass: skips conv weight gradients. */
  weightGradients?: boolean
  /** Data-parallel training: BN's batch statistics are taken over every replica's share of the batch. */
  collective?: Collective
  /** Receives each attention block's map, beta: [B, queries, keys]. */
  onAttention?: (layer: string, beta: tf.Tensor3D) => void
}
