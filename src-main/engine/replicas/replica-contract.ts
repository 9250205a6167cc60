// What the primary training worker and its extra replicas say to each other
// (workers/rpc.ts carries the calls; the numbers go through the collective).
import type { BackendPreference, RunConfig } from '../../../src-shared/run-config'
import type { CollectiveBuffers } from '../parallel/collective'
import type { Batch, TrainingData } from '../trainer'

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

export interface ReplicaCalls {
  /** Resolves once the replica holds the primary's trainer; rejects with why it could not. */
  started(): Promise<void>
  /** Trains this replica's share of each of the step's batches (the primary reports the results). */
  step(batches: Batch[]): Promise<void>
  /** Joins the primary's exchange of state digests (parallel/lockstep.ts). */
  verify(): Promise<void>
}
