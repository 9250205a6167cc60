// Typed messages between the main process and the training worker.
// Big arrays travel as typed arrays (transferred, or shared when the dataset
// sits in a SharedArrayBuffer); everything else is plain structured-clone data.
import type { BackendInfo, RunConfig } from '../../../src-shared/run-config'
import type { RunProgress } from '../../../src-shared/training'
import type { SamplerState } from '../../data/sampler'
import type { MemoryEstimate } from '../memory-estimate'
import type { ReplicaPlan } from '../replicas/replica-count'
import type { AttentionMap, WeightsChoice } from '../trainer'

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

export type MainToWorker =
  | {
      type: 'start'
      config: RunConfig
      dataset: DatasetPayload
      /** Continue a run: bytes from a 'checkpoint' message and its sampler state. */
      resume?: { state: Uint8Array; sampler?: SamplerState }
      /** Load the state and answer requests (samples, attention) without training. */
      inspectOnly?: boolean
    }
  /** A fresh worker only: which backend 'auto' gets here (the main process never loads tfjs or Dawn). */
  | { type: 'probeBackend' }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Finish the current step, send a final checkpoint, then 'stopped'. */
  | { type: 'stop' }
  | { type: 'requestSamples'; requestId: number; z: Float32Array; labels: Int32Array; weights: WeightsChoice }
  | { type: 'requestAttention'; requestId: number; z: Float32Array; label: number; query: { x: number; y: number }; weights: WeightsChoice }
  | { type: 'requestCheckpoint'; requestId: number }
  /** Inspect-only workers: answer from these checkpoint bytes from now on (cheaper than a new worker). */
  | { type: 'inspectState'; requestId: number; state: Uint8Array }

/** The contract's RunProgress minus the run id (the main process knows which run a worker trains). */
export type ProgressMessage = { type: 'progress' } & Omit<RunProgress, 'runId'>

export type CheckpointReason = 'interval' | 'requested' | 'final'

export type WorkerToMain =
  /** memory: one replica's share (each has its own heap). */
  | { type: 'backend'; backend: BackendInfo }
  | { type: 'ready'; backend: BackendInfo; replicas: ReplicaPlan; memory: MemoryEstimate; step: number; attentionLayers: string[] }
  | ProgressMessage
  /** Spectral norm sigma of every SN weight, read at each sample sheet. */
  | { type: 'spectralNorms'; step: number; sigmas: { layer: string; sigma: number }[] }
  | { type: 'checkpoint'; reason: CheckpointReason; requestId?: number; step: number; bytes: Uint8Array; sampler: SamplerState }
  | {
      type: 'samples'
      /** Absent for the scheduled sample sheet (every sampleEvery steps, fixed latents). */
      requestId?: number
      step: number
      weights: WeightsChoice
      /** [count, imageSize, imageSize, channels] uint8. */
      images: Uint8Array
      labels: Int32Array
      count: number
      imageSize: number
      channels: 1 | 3
    }
  | { type: 'attention'; requestId: number; step: number; attention: AttentionMap }
  | { type: 'inspecting'; requestId: number; step: number }
  | { type: 'paused'; step: number }
  | { type: 'stopped'; step: number }
  | { type: 'completed'; step: number }
  /** The step that produced NaN/Inf was undone and the run paused. */
  | { type: 'nonFinite'; step: number; what: string }
  | { type: 'error'; message: string; requestId?: number }
