// What the main process asks of an inspection worker: a look inside a run's
// saved generator, one checkpoint at a time, without training it.
import type { BackendInfo, RunConfig } from '../../../src-shared/run-config'
import type { AttentionMap, WeightsChoice } from '../inference'

export interface InspectionOpen {
  config: RunConfig
  /** One name per class, or empty when unconditional. */
  classNames: string[]
  /** The checkpoint bytes to answer from. */
  state: Uint8Array
}

export interface InspectionCalls {
  /** Loads the run's first checkpoint; answers the backend and the checkpoint's step. */
  open(open: InspectionOpen): Promise<{ backend: BackendInfo; step: number }>
  /** Answers from another checkpoint of the same run from now on (cheaper than a new worker). */
  load(state: Uint8Array): Promise<{ step: number }>
  /** [N, S, S, C] uint8 images for latents z [N, zDim] and labels [N]. */
  samples(z: Float32Array, labels: Int32Array, weights: WeightsChoice): Promise<Uint8Array>
  attention(z: Float32Array, label: number, query: { x: number; y: number }, weights: WeightsChoice): Promise<AttentionMap>
}
