// What the primary training worker and its extra replicas say to each other.
import type { BackendPreference, RunConfig } from '../../../src-shared/run-config'
import type { Batch, TrainingData } from '../trainer'
import type { CollectiveBuffers } from '../parallel/collective'

/** workerData of a replica: everything to rebuild the primary's trainer bit for bit. */
export interface ReplicaInit {
  rank: number
  buffers: CollectiveBuffers
  config: RunConfig
  data: TrainingData
  /** The primary's serialized TrainerState (weights, optimiser, rng) at the moment the group forms. */
  state: Uint8Array
  /** The backend the primary runs on: replicas must compute the same way. */
  backend: BackendPreference
}

export type PrimaryToReplica =
  /** This replica's share of each of the step's batches. */
  | { type: 'step'; batches: Batch[] }
  /** Join the primary's exchange of state digests (lockstep.ts). */
  | { type: 'verify' }

export type ReplicaToPrimary = { type: 'ready' } | { type: 'error'; message: string }
