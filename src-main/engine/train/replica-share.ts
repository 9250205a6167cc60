// How a trainer that is one replica of a data-parallel group takes part in a
// step: it draws the whole batch's randomness (so every replica's rng stays
// equal to a single trainer's) and keeps its own slice, and it applies the
// mean of every replica's gradients. Without a collective it sees whole batches.
import * as tf from '@tensorflow/tfjs-core'
import type { Collective } from '../parallel/collective'
import type { ParamStore } from '../model/params'

/** This replica's index and the replica count (0 of 1 without a collective). */
export interface Share {
  rank: number
  size: number
}

export function shareOf(collective: Collective | null): Share {
  return collective ?? { rank: 0, size: 1 }
}

/** This replica's part of per-image draws made for the whole batch: n per replica. */
export function ownSlice<T extends { slice(from: number, to: number): T }>(whole: T, n: number, share: Share): T {
  return whole.slice(share.rank * n, (share.rank + 1) * n)
}

/**
 * Every replica applies the mean of all replicas' gradients (the same bits everywhere).
 * Reads synchronously: the all-reduce blocks inside the step, and replicas
 * only run on wasm/cpu (planReplicas), where dataSync is cheap.
 */
export function averagedGradients(grads: Map<string, tf.Tensor>, store: ParamStore, collective: Collective | null): Map<string, tf.Tensor> {
  if (!collective) return grads
  const names = [...store.params.keys()].filter((n) => grads.has(n)) // one order on every replica
  const local = names.map((n) => grads.get(n) as tf.Tensor)
  const mean = collective.allReduceSum(tf.concat(local.map((g) => tf.reshape(g, [-1]))).dataSync() as Float32Array)
  const scale = 1 / collective.size
  for (let i = 0; i < mean.length; i++) mean[i] *= scale
  // One tensor per weight straight from the array: tf.split on wasm would copy the whole vector per piece.
  let offset = 0
  return new Map(
    names.map((n, i) => {
      const g = tf.tensor(mean.subarray(offset, offset + local[i].size), local[i].shape)
      offset += local[i].size
      return [n, g]
    }),
  )
}

/** The step's read-out values averaged over replicas, so every replica takes the same NaN decision. */
export function meanOverReplicas(values: Float32Array, collective: Collective | null): Float32Array {
  if (!collective) return values
  return collective.allReduceSum(values).map((v) => v / collective.size)
}
