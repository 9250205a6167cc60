// The SAGAN trainer: one run's networks, optimisers and rng (train/parts.ts)
// and what it does with them, each in its own module: a step
// (train/step.ts, with NaN rollback in train/rollback.ts and augmentation in
// train/augmentation.ts), inference (inference.ts), checkpoint state
// (checkpoint/). Knows nothing about workers, files or the UI; the worker and
// the CLI drive it. Uses whichever tfjs backend is active (call initBackend
// first). Data-parallel: with a Collective attached, each replica trains on
// its share of every batch and they average gradients (train/replica-share.ts).
import type { RunConfig } from '../../src-shared/run-config'
import { Rng } from '../random'
import { type AdaptiveState, initialAugmentState } from './augment/adaptive-probability'
import { captureState } from './checkpoint/capture'
import { resumeParts } from './checkpoint/resume'
import { deserializeState, serializeState, type TrainerState } from './checkpoint/state'
import { fixedLatents } from './fixed-latents'
import { type AttentionMap, attentionMap, sample, spectralNorms, type WeightsChoice } from './inference'
import type { Collective } from './parallel/collective'
import { attentionLayers, type Batch, buildParts, disposeParts, effectiveConfig, type TrainerParts, type TrainingData } from './train/parts'
import { type StepResult, trainStep } from './train/step'

export type { AttentionMap, Batch, StepResult, TrainerState, TrainingData, WeightsChoice }

export class SaganTrainer {
  readonly config: RunConfig
  private step: number
  /** DiffAugment's probability and ADA's running r_t (checkpointed). */
  private augment: AdaptiveState
  /** Set on every replica of a data-parallel run; null when this trainer sees whole batches. */
  private collective: Collective | null = null

  private constructor(
    private readonly parts: TrainerParts,
    progress: { step: number; augment: AdaptiveState },
  ) {
    this.config = parts.config
    this.step = progress.step
    this.augment = progress.augment
  }

  /** A fresh run: orthogonal weights drawn from config.seed. */
  static async create(config: RunConfig, data: TrainingData): Promise<SaganTrainer> {
    const effective = effectiveConfig(config, data)
    return new SaganTrainer(buildParts(effective, new Rng(effective.seed), true), { step: 0, augment: initialAugmentState(effective.augment) })
  }

  /** Continues a run from getState()/deserializeState() of the same config. */
  static async restore(config: RunConfig, data: TrainingData, state: TrainerState): Promise<SaganTrainer> {
    const { parts, step, augment } = resumeParts(effectiveConfig(config, data), state)
    return new SaganTrainer(parts, { step, augment })
  }

  static serializeState(s: TrainerState): Uint8Array {
    return serializeState(s)
  }

  static deserializeState(b: Uint8Array): TrainerState {
    return deserializeState(b)
  }

  get completedSteps(): number {
    return this.step
  }

  /** Batches one trainStep consumes: one per discriminator step. */
  get batchesPerStep(): number {
    return this.config.nDis
  }

  /**
   * Joins (or, with null, leaves) a data-parallel group. Every replica must hold
   * the same state; trainStep then takes this replica's share of each batch.
   */
  attachCollective(collective: Collective | null): void {
    this.collective = collective
  }

  /** Floats the longest all-reduce of a step carries (a network's gradients): the collective's slot size. */
  get exchangeCapacity(): number {
    const floats = (store: TrainerParts['gStore']) => [...store.params.values()].reduce((n, v) => n + v.size, 0)
    return Math.max(floats(this.parts.gStore), floats(this.parts.dStore), 4 + this.attentionLayers.length)
  }

  /** Attention layer names, G first, in the order StepResult.gammas lists them. */
  get attentionLayers(): string[] {
    return attentionLayers(this.parts)
  }

  /**
   * nDis discriminator updates (one batch each), one generator update, EMA.
   * If any loss or weight becomes NaN/Inf the whole step is undone (weights,
   * optimiser, u vectors, rng) and the result names the culprit. In a
   * data-parallel group each batch is this replica's share (the losses are
   * the whole batch's). Callers must not use the trainer until the promise
   * settles (the session serialises).
   */
  async trainStep(input: Batch | Batch[]): Promise<StepResult> {
    const batches = Array.isArray(input) ? input : [input]
    const { result, after } = await trainStep(this.parts, { step: this.step, augment: this.augment, collective: this.collective }, batches)
    this.step = after.step
    this.augment = after.augment
    return result
  }

  /** Images [N, H, W, C] uint8 from latents z [N, zDim] and labels [N]; evaluation mode, no state change. */
  sample(z: Float32Array, labels: Int32Array, weights: WeightsChoice): Promise<Uint8Array> {
    return sample(this.parts, z, labels, weights)
  }

  /** nPerClass latents per class (class-major), from their own seed: the same sheet at every step. */
  fixedLatents(nPerClass: number, seed: number): { z: Float32Array; labels: Int32Array } {
    return fixedLatents(this.config, nPerClass, seed)
  }

  /** Where the query pixel looks in the last generator attention layer (query in image pixels). */
  attentionMap(z: Float32Array, label: number, query: { x: number; y: number }, weights: WeightsChoice): Promise<AttentionMap> {
    return attentionMap(this.parts, z, label, query, weights)
  }

  /** Largest singular value estimate of every spectrally normalised weight (no u update), for logging. */
  spectralNorms(): Promise<{ layer: string; sigma: number }[]> {
    return spectralNorms(this.parts)
  }

  getState(): Promise<TrainerState> {
    return captureState(this.parts, this.step, this.augment)
  }

  dispose(): void {
    disposeParts(this.parts)
  }
}
