// One training step: nDis discriminator updates (one batch each), one
// generator update, EMA; undone as a whole if it produced NaN/Inf (rollback.ts).
// In a data-parallel group each batch is this replica's share (replica-share.ts).
import * as tf from '@tensorflow/tfjs-core'
import { type AdaptiveState, observeStep } from '../augment/adaptive-probability'
import { discriminatorHinge, generatorHinge } from '../model/hinge-loss'
import type { ForwardContext, ParamStore } from '../model/params'
import type { Collective } from '../parallel/collective'
import { throwIfGpuFailed } from '../webgpu/device-errors'
import { augmented, realImageTensor } from './augmentation'
import { updateEma } from './ema'
import { type Batch, labelTensor, type TrainerParts } from './parts'
import { averagedGradients, meanOverReplicas, ownSlice, type Share, shareOf } from './replica-share'
import { discardSnapshot, findNonFinite, finiteProbe, rollback, takeSnapshot } from './rollback'

export interface StepResult {
  step: number
  dLossReal: number
  dLossFake: number
  gLoss: number
  /** Every attention gamma of G then D. */
  gammas: { layer: string; value: number }[]
  /** ADA's overfitting signal r_t = E[sign(D(real))] over this step's real images (1: D is sure of every one). */
  realSign: number
  /** The augmentation probability after this step; null when the run does not augment. */
  augmentP: number | null
  /** Set when the step produced NaN/Inf: which loss or weight. The step was undone. */
  nonFinite?: string
}

/** What a step reads and advances besides the weights. */
interface StepProgress {
  /** Completed steps before this one. */
  step: number
  /** DiffAugment's probability and ADA's running r_t. */
  augment: AdaptiveState
  /** Set on every replica of a data-parallel run. */
  collective: Collective | null
}

/** The step's context: the parts, the progress before it, and tfjs variable name -> parameter name. */
interface StepContext extends StepProgress {
  parts: TrainerParts
  share: Share
  gradNames: Map<string, string>
}

type DiscriminatorTerms = { real: tf.Scalar; fake: tf.Scalar; realSign: tf.Scalar }

/**
 * Runs one step and returns its result with the progress after it (unchanged when the step was undone).
 * Results are read asynchronously: webgpu has no sync read in Node, and one await per step costs nothing on wasm/cpu.
 */
export async function trainStep(parts: TrainerParts, progress: StepProgress, batches: Batch[]): Promise<{ result: StepResult; after: StepProgress }> {
  const { config } = parts
  if (batches.length !== config.nDis) {
    throw new Error(`trainStep: got ${batches.length} batches, config.nDis is ${config.nDis} (one batch per discriminator step)`)
  }
  const ctx: StepContext = { ...progress, parts, share: shareOf(progress.collective), gradNames: gradientNames(parts) }
  const snapshot = takeSnapshot(parts)
  let values: Float32Array
  try {
    const readout = tf.tidy(() => {
      // Each update in its own tidy: its activations are freed before the next one starts.
      let d: DiscriminatorTerms = { real: tf.scalar(0), fake: tf.scalar(0), realSign: tf.scalar(0) }
      const realSigns: tf.Scalar[] = []
      for (const batch of batches) {
        d = tf.tidy(() => discriminatorStep(ctx, batch))
        realSigns.push(d.realSign)
      }
      const gLoss = tf.tidy(() => generatorStep(ctx, batches[0].labels.length))
      if (parts.emaStore) updateEma(parts.emaStore, parts.gStore, progress.step < config.ema.startStep ? 0 : config.ema.decay)
      const gammas = gammaVariables(parts)
      const finite = finiteProbe(parts)
      return tf.concat([tf.stack([d.real, d.fake, gLoss, finite, tf.mean(tf.stack(realSigns))]), ...(gammas.length ? [tf.stack(gammas)] : [])])
    })
    try {
      values = (await readout.data()) as Float32Array
    } finally {
      readout.dispose()
    }
    throwIfGpuFailed('trainStep')
    // Every replica then sees the same losses and takes the same NaN decision.
    values = meanOverReplicas(values, progress.collective)
  } catch (err) {
    // The other replicas would wait forever for this one's next exchange.
    progress.collective?.abort(`replica ${progress.collective.rank}: ${err instanceof Error ? err.message : String(err)}`)
    rollback(parts, snapshot)
    throw err
  }
  const [dLossReal, dLossFake, gLoss, finite, realSign] = values
  const gammas = [...parts.g.attention, ...parts.d.attention].map((layer, i) => ({ layer: layer.name, value: values[5 + i] }))
  const augmentP = config.augment.policy === 'off' ? null : progress.augment.p
  const nonFinite = await findNonFinite(parts, { dLossReal, dLossFake, gLoss }, Number.isFinite(finite))
  if (nonFinite) {
    rollback(parts, snapshot)
    return { result: { step: progress.step, dLossReal, dLossFake, gLoss, gammas, realSign, augmentP, nonFinite }, after: progress }
  }
  discardSnapshot(snapshot)
  const realImages = batches.reduce((n, b) => n + b.labels.length, 0) * ctx.share.size
  const after: StepProgress = { ...progress, step: progress.step + 1, augment: observeStep(progress.augment, realSign, config.augment, realImages) }
  return { result: { step: after.step, dLossReal, dLossFake, gLoss, gammas, realSign, augmentP: augmentP === null ? null : after.augment.p }, after }
}

/**
 * One D update on real images and G's fakes (one forward over both, as BigGAN), both
 * augmented alike. Returns the two hinge terms and r_t, the mean sign of D(real).
 */
function discriminatorStep(ctx: StepContext, batch: Batch): DiscriminatorTerms {
  const { parts } = ctx
  const n = batch.labels.length
  const real = augment(ctx, realImageTensor(batch, parts.config, parts.rng, ctx.share))
  const { z, labels } = drawLatents(ctx, n)
  // G in training mode (batch statistics) but leaves its u and running statistics alone.
  const fake = augment(ctx, parts.g.apply(z, labels, { store: parts.gStore, training: true, updateSn: false, updateStats: false, ...replicaContext(ctx) }))
  const x = tf.concat([real, fake], 0)
  const y = tf.concat([labelTensor(parts.config, batch.labels), labels], 0)
  let terms: DiscriminatorTerms | null = null
  const { grads } = tf.variableGrads(() => {
    const scores = parts.d.apply(x, y, { store: parts.dStore, training: true, updateSn: true, updateStats: false })
    const [sReal, sFake] = tf.split(scores, 2) as [tf.Tensor1D, tf.Tensor1D]
    const hinge = discriminatorHinge(sReal, sFake)
    terms = { real: tf.keep(hinge.real), fake: tf.keep(hinge.fake), realSign: tf.keep(tf.mean(tf.sign(sReal))) }
    return tf.add(hinge.real, hinge.fake)
  }, trainables(parts.dStore))
  parts.adamD.apply(averagedGradients(byName(ctx, grads), parts.dStore, ctx.collective))
  const kept = terms as unknown as DiscriminatorTerms
  const out = { real: tf.clone(kept.real), fake: tf.clone(kept.fake), realSign: tf.clone(kept.realSign) }
  tf.dispose([kept.real, kept.fake, kept.realSign])
  return out
}

/** One G update through the just-updated D; this pass updates G's u vectors and BN statistics. */
function generatorStep(ctx: StepContext, n: number): tf.Scalar {
  const { parts } = ctx
  const { z, labels } = drawLatents(ctx, n)
  const { value, grads } = tf.variableGrads(() => {
    const fake = parts.g.apply(z, labels, { store: parts.gStore, training: true, updateSn: true, updateStats: true, ...replicaContext(ctx) })
    const dCtx: ForwardContext = { store: parts.dStore, training: true, updateSn: false, updateStats: false, weightGradients: false }
    return generatorHinge(parts.d.apply(augment(ctx, fake), labels, dCtx))
  }, trainables(parts.gStore))
  parts.adamG.apply(averagedGradients(byName(ctx, grads), parts.gStore, ctx.collective))
  return value
}

function augment(ctx: StepContext, x: tf.Tensor4D): tf.Tensor4D {
  return augmented(x, ctx.parts.config, ctx.parts.rng, ctx.augment, ctx.share)
}

/**
 * Latents and fake labels for n images of this replica: every replica draws
 * the whole batch's (so the rng advances as in a single-worker run and all
 * replicas' rngs stay equal) and keeps its own slice.
 */
function drawLatents(ctx: StepContext, n: number): { z: tf.Tensor2D; labels: tf.Tensor1D } {
  const { rng, config } = ctx.parts
  const { zDim, numClasses } = config
  const z = rng.normal(n * ctx.share.size * zDim)
  const labels = new Int32Array(n * ctx.share.size)
  if (numClasses > 0) for (let i = 0; i < labels.length; i++) labels[i] = rng.int(numClasses)
  return { z: tf.tensor2d(ownSlice(z, n * zDim, ctx.share), [n, zDim]), labels: labelTensor(config, ownSlice(labels, n, ctx.share)) }
}

function replicaContext(ctx: StepContext): Pick<ForwardContext, 'collective'> {
  return ctx.collective ? { collective: ctx.collective } : {}
}

function trainables(store: ParamStore): tf.Variable[] {
  return [...store.params.values()]
}

function gradientNames(parts: TrainerParts): Map<string, string> {
  const names = new Map<string, string>()
  for (const store of [parts.gStore, parts.dStore]) for (const [name, v] of store.params) names.set(v.name, name)
  return names
}

function byName(ctx: StepContext, grads: tf.NamedTensorMap): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>()
  for (const [tfName, g] of Object.entries(grads)) {
    const name = ctx.gradNames.get(tfName)
    if (!name) throw new Error(`trainStep: gradient for a variable the trainer does not own (${tfName})`)
    out.set(name, g)
  }
  return out
}

function gammaVariables(parts: TrainerParts): tf.Tensor[] {
  return [...parts.g.attention.map((a) => parts.gStore.param(a.gammaName)), ...parts.d.attention.map((a) => parts.dStore.param(a.gammaName))]
}
