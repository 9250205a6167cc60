// What the main process and a training worker say to each other (workers/rpc.ts
// carries it). Big arrays travel as typed arrays (transferred, or shared when
// the dataset sits in a SharedArrayBuffer); everything else is structured-clone data.
import type { BackendInfo, RunConfig } from '../../../src-shared/run-config'
import type { RunProgress } from '../../../src-shared/training'
import type { SamplerState } from '../../data/sampler'
import type { WeightsChoice } from '../inference'
import type { MemoryEstimate } from '../memory-estimate'
import type { ReplicaPlan } from '../replicas/replica-count'

export interface DatasetPayload {
  /** [N, imageSize, imageSize, channels] uint8; ideally a view of a SharedArrayBuffer. */
  images: Uint8Array
  /** [N] class per image (all 0 when unconditional). */
  labels: Int32Array
  /** Empty or one name per class; numClasses = classNames.length (0 or >= 2). */
  classNames: string[]
  imageSize: number
  channels: 1 | 3
}

export interface TrainingStart {
  config: RunConfig
  dataset: DatasetPayload
  /** Continue a run: the bytes and sampler state of one of its checkpoints. */
  resume?: { state: Uint8Array; sampler?: SamplerState }
}

/** memory: one replica's share (each has its own heap). */
export interface TrainingReady {
  backend: BackendInfo
  replicas: ReplicaPlan
  memory: MemoryEstimate
  step: number
  attentionLayers: string[]
}

export type CheckpointReason = 'interval' | 'requested' | 'final'

export interface Checkpoint {
  reason: CheckpointReason
  step: number
  bytes: Uint8Array
  sampler: SamplerState
}

export interface Samples {
  step: number
  weights: WeightsChoice
  /** [count, imageSize, imageSize, channels] uint8. */
  images: Uint8Array
  labels: Int32Array
  count: number
  imageSize: number
  channels: 1 | 3
}

/** The contract's RunProgress minus the run id (the main process knows which run a worker trains). */
export type TrainingProgress = Omit<RunProgress, 'runId'>

/** What the main process asks of a training worker. */
export interface TrainingCalls {
  /** A fresh worker only: which backend 'auto' gets here (the main process never loads tfjs or Dawn). */
  probeBackend(): Promise<BackendInfo>
  /** Builds or restores the trainer; training starts right after the answer and runs until paused, stopped or done. */
  start(start: TrainingStart): Promise<TrainingReady>
  /** The loop stops after its current step and says 'paused'. */
  pause(): Promise<void>
  resume(): Promise<void>
  /** Finishes the current step, sends a final checkpoint, then 'stopped'. */
  stop(): Promise<void>
  /** Images of the current weights for these latents (evaluation asks for them). */
  samples(z: Float32Array, labels: Int32Array, weights: WeightsChoice): Promise<Samples>
  /** A checkpoint of the state now (asked for at each pause). */
  checkpoint(): Promise<Checkpoint>
}

/** What a training worker reports on its own, as the run goes. */
export interface TrainingEvents {
  progress(progress: TrainingProgress): void
  /** Spectral norm sigma of every SN weight, read at each sample sheet. */
  spectralNorms(step: number, sigmas: { layer: string; sigma: number }[]): void
  /** The scheduled sample sheet (every sampleEvery steps, fixed latents). */
  sheet(samples: Samples): void
  /** An interval or final checkpoint. */
  checkpointTaken(checkpoint: Checkpoint): void
  paused(step: number): void
  stopped(step: number): void
  completed(step: number): void
  /** The step that produced NaN/Inf was undone and the run paused. */
  nonFinite(step: number, what: string): void
  /** A step failed (it was undone); the run paused. */
  failed(message: string): void
}
