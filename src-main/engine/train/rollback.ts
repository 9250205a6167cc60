// NaN/Inf rollback: a step that makes any loss or weight non-finite is undone
// as a whole (weights, optimiser moments and step counts, u vectors, BN
// statistics, rng), so the run pauses on its last good state.
import * as tf from '@tensorflow/tfjs-core'
import type { RngState } from '../../random'
import { namedVariables, type TrainerParts } from './parts'

/** Everything a step changes, as it was before the step. */
export interface Snapshot {
  /** Cheap references to the current values (clones share memory until a variable is reassigned). */
  values: Map<tf.Variable, tf.Tensor>
  rng: RngState
  adamSteps: { g: number; d: number }
}

export function takeSnapshot(parts: TrainerParts): Snapshot {
  return {
    values: new Map(namedVariables(parts).map(([, v]) => [v, tf.clone(v)])),
    rng: parts.rng.getState(),
    adamSteps: { g: parts.adamG.step, d: parts.adamD.step },
  }
}

/** The step succeeded: the old values are not needed. */
export function discardSnapshot(snapshot: Snapshot): void {
  tf.dispose([...snapshot.values.values()])
}

export function rollback(parts: TrainerParts, snapshot: Snapshot): void {
  for (const [v, old] of snapshot.values) {
    v.assign(old)
    old.dispose()
  }
  parts.rng.setState(snapshot.rng)
  parts.adamG.step = snapshot.adamSteps.g
  parts.adamD.step = snapshot.adamSteps.d
}

/**
 * NaN iff some weight or moment is NaN/Inf (0 * Inf = NaN). One concat keeps
 * the kernel count low on wasm/cpu; on webgpu every tensor lives in one GPU
 * buffer, and a concat of the whole state could pass the adapter's binding
 * limit (128 MiB on llvmpipe), so each variable is summed on its own there.
 */
export function finiteProbe(parts: TrainerParts): tf.Scalar {
  const variables = namedVariables(parts).map(([, v]) => v)
  // (stack, not addN: webgpu's AddN binds every input at once, past the 8 storage buffers compatibility mode allows.)
  if (tf.getBackend() === 'webgpu') return tf.sum(tf.stack(variables.map((v) => tf.sum(tf.mul(v, 0)))))
  return tf.sum(tf.mul(tf.concat(variables.map((v) => tf.reshape(v, [-1]))), 0))
}

/** Names the first non-finite loss, else the first non-finite weight (when the probe said there is one). */
export async function findNonFinite(parts: TrainerParts, losses: Record<string, number>, weightsFinite: boolean): Promise<string | undefined> {
  for (const [name, value] of Object.entries(losses)) if (!Number.isFinite(value)) return `loss ${name} = ${value}`
  if (weightsFinite) return undefined
  for (const [name, v] of namedVariables(parts)) {
    const bad = tf.tidy(() => tf.any(tf.logicalNot(tf.isFinite(v))))
    const isBad = (await bad.data())[0] === 1
    bad.dispose()
    if (isBad) return `weight ${name}`
  }
  return 'weights (a non-finite value vanished before it could be located)'
}
