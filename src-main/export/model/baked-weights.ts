// The generator's weights as the engine's evaluation pass uses them, computed
// by the engine's own code: each spectrally normalised weight divided by the
// sigma of one power iteration from the stored u (u not updated), and each
// batch norm's running variance turned into 1 / sqrt(var + eps). An exported
// graph then needs no power iteration and no knowledge of eps.
import * as tf from '@tensorflow/tfjs-core'
import type { RunConfig } from '../../../src-shared/run-config'
import { inverseStd } from '../../engine/model/batch-norm'
import { Generator } from '../../engine/model/generator'
import { ParamBuilder, ParamStore } from '../../engine/model/params'
import { spectrallyNormalized, uNameOf } from '../../engine/model/spectral-norm'
import type { TrainerState, WeightsChoice } from '../../engine/trainer'

export interface BakedTensor {
  shape: number[]
  data: Float32Array
}

/** Suffix of the derived 1 / sqrt(runningVar + eps) next to a batch norm's running statistics. */
export const INVERSE_STD = '.inverseStd'
const RUNNING_VAR = '.runningVar'
const U_SUFFIX = uNameOf('')

/** Checkpoint prefix of each weights choice (SaganTrainer's namedVariables). */
const PART: Record<WeightsChoice, string> = { raw: 'G', ema: 'Gema' }

/**
 * Every value the generator reads at evaluation, by engine name ("G.block0.conv1.w",
 * "G.block0.bn1.runningMean", "G.block0.bn1.inverseStd", ...). SN weights are
 * already divided by sigma; the u vectors and running variances themselves are left out.
 */
export function bakeGeneratorWeights(config: RunConfig, state: TrainerState, weights: WeightsChoice): Map<string, BakedTensor> {
  const { store } = checkpointGenerator(config, state, weights)
  try {
    const names: string[] = []
    const tensors = tf.tidy(() => {
      const out: tf.Tensor[] = []
      const add = (name: string, t: tf.Tensor) => {
        names.push(name)
        out.push(t)
      }
      for (const [name, v] of store.params) add(name, store.buffers.has(uNameOf(name)) ? spectrallyNormalized(store, name, false) : v.clone())
      for (const [name, v] of store.buffers) {
        if (name.endsWith(RUNNING_VAR)) add(name.slice(0, -RUNNING_VAR.length) + INVERSE_STD, inverseStd(v))
        else if (!name.endsWith(U_SUFFIX)) add(name, v.clone())
      }
      return out
    })
    // Reads outside tidy: a dataSync inside it would walk the results again.
    const baked = new Map(names.map((name, i) => [name, { shape: [...tensors[i].shape], data: tensors[i].dataSync() as Float32Array }]))
    tf.dispose(tensors)
    return baked
  } finally {
    store.dispose()
  }
}

/** The engine's generator and its variables for one weights choice, filled from the checkpoint; shapes checked against the config. */
export function checkpointGenerator(config: RunConfig, state: TrainerState, weights: WeightsChoice): { generator: Generator; store: ParamStore } {
  const prefix = PART[weights]
  if (weights === 'ema' && !config.ema.enabled) throw new Error('Export: EMA weights requested but this run has ema.enabled = false; export the raw weights')
  const store = new ParamStore(`generator (${weights})`)
  // rng null: zero weights, overwritten from the checkpoint below.
  const generator = new Generator(new ParamBuilder(store, null), config, config.snG)
  const byName = new Map(state.tensors.map((t) => [t.name, t]))
  try {
    for (const [name, v] of store.entries()) {
      const t = byName.get(`${prefix}/${name}`)
      if (!t) throw new Error(`checkpoint has no ${prefix}/${name}`)
      if (t.shape.join('x') !== v.shape.join('x')) throw new Error(`${prefix}/${name} is ${t.shape.join('x')}, the config builds ${v.shape.join('x')}`)
      tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)))
    }
  } catch (err) {
    store.dispose()
    throw new Error(
      `Export: the checkpoint at step ${state.step} does not match the run config (${(err as Error).message}); export with the config the checkpoint was saved with`,
      { cause: err },
    )
  }
  return { generator, store }
}
