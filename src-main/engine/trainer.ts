// The SAGAN training loop over tfjs tensors: one call = nDis discriminator
// steps + one generator step (+ EMA). Knows nothing about workers, files or the
// UI; the worker and the CLI drive it. Uses whichever tfjs backend is active
// (call initBackend first). Data-parallel: with a Collective attached, each
// replica trains on its share of every batch and they average gradients, so
// all replicas hold the same weights (see parallel/).
import * as tf from '@tensorflow/tfjs-core'
import type { RunConfig } from '../../src-shared/run-config'
import { Discriminator } from './model/discriminator'
import { Generator } from './model/generator'
import { discriminatorHinge, generatorHinge } from './model/hinge-loss'
import { type ForwardContext, ParamBuilder, ParamStore } from './model/params'
import { spectralSigma, uNameOf } from './model/spectral-norm'
import { type AdaptiveState, initialAugmentState, observeStep } from './augment/adaptive-probability'
import { diffAugment, drawAugmentations } from './augment/diff-augment'
import { fixedLatents } from './fixed-latents'
import { toPixelValues } from './pixels'
import type { Collective } from './parallel/collective'
import { Rng } from './rng'
import { Adam } from './train/adam'
import { updateEma } from './train/ema'
import { throwIfGpuFailed } from './webgpu/device-errors'
import { type NamedArray, type TrainerState, deserializeState, serializeState } from './train/state'

export type { TrainerState }

export interface TrainingData {
  numClasses: number
  classNames: string[]
  imageSize: number
  channels: 1 | 3
}

export interface Batch {
  /** [B, H, W, C] row-major, 0..255. */
  images: Uint8Array
  /** [B] class per image (0 when unconditional). */
  labels: Int32Array
}

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

export type WeightsChoice = 'raw' | 'ema'

export interface AttentionMap {
  /** Weights over the key grid, row-major [height, width]; sums to 1. */
  map: Float32Array
  width: number
  height: number
  layer: string
  variant: 'pooled' | 'full'
}

interface Parts {
  g: Generator
  d: Discriminator
  gStore: ParamStore
  dStore: ParamStore
  emaStore: ParamStore | null
}

export class SaganTrainer {
  readonly config: RunConfig
  private step = 0
  private readonly adamG: Adam
  private readonly adamD: Adam
  private readonly g: Generator
  private readonly d: Discriminator
  private readonly gStore: ParamStore
  private readonly dStore: ParamStore
  private readonly emaStore: ParamStore | null
  /** tfjs variable name -> our parameter name, to read variableGrads' result. */
  private readonly gradNames = new Map<string, string>()
  /** Set on every replica of a data-parallel run; null when this trainer sees whole batches. */
  private collective: Collective | null = null
  /** DiffAugment's probability and ADA's running r_t (checkpointed). */
  private augmentState: AdaptiveState

  private constructor(
    config: RunConfig,
    private readonly rng: Rng,
    parts: Parts,
  ) {
    this.config = config
    ;({ g: this.g, d: this.d, gStore: this.gStore, dStore: this.dStore, emaStore: this.emaStore } = parts)
    const { lrG, lrD, beta1, beta2, adamEps: eps } = config
    this.adamG = new Adam(this.gStore.params, { lr: lrG, beta1, beta2, eps })
    this.adamD = new Adam(this.dStore.params, { lr: lrD, beta1, beta2, eps })
    for (const store of [this.gStore, this.dStore]) for (const [name, v] of store.params) this.gradNames.set(v.name, name)
    this.augmentState = initialAugmentState(config.augment)
  }

  /** A fresh run: orthogonal weights drawn from config.seed. */
  static async create(config: RunConfig, data: TrainingData): Promise<SaganTrainer> {
    const effective = effectiveConfig(config, data)
    const rng = new Rng(effective.seed)
    return new SaganTrainer(effective, rng, build(effective, rng))
  }

  /** Continues a run from getState()/deserializeState() of the same config. */
  static async restore(config: RunConfig, data: TrainingData, state: TrainerState): Promise<SaganTrainer> {
    const effective = effectiveConfig(config, data)
    const trainer = new SaganTrainer(effective, new Rng(state.rng), build(effective, null))
    trainer.load(state)
    return trainer
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
    const floats = (store: ParamStore) => [...store.params.values()].reduce((n, v) => n + v.size, 0)
    return Math.max(floats(this.gStore), floats(this.dStore), 4 + this.attentionLayers.length)
  }

  /** Attention layer names, G first, in the order StepResult.gammas lists them. */
  get attentionLayers(): string[] {
    return [...this.g.attention, ...this.d.attention].map((a) => a.name)
  }

  /**
   * nDis discriminator updates (one batch each), one generator update, EMA.
   * If any loss or weight becomes NaN/Inf the whole step is undone (weights,
   * optimiser, u vectors, rng) and the result names the culprit. In a
   * data-parallel group each batch is this replica's share (the losses are
   * the whole batch's). Results are read asynchronously: webgpu has no sync
   * read in Node, and one await per step costs nothing on wasm/cpu. Callers
   * must not use the trainer until the promise settles (the session serialises).
   */
  async trainStep(input: Batch | Batch[]): Promise<StepResult> {
    const batches = Array.isArray(input) ? input : [input]
    if (batches.length !== this.config.nDis) {
      throw new Error(`trainStep: got ${batches.length} batches, config.nDis is ${this.config.nDis} (one batch per discriminator step)`)
    }
    const snapshot = this.snapshot()
    const rngBefore = this.rng.getState()
    const adamBefore = { g: this.adamG.step, d: this.adamD.step }
    let values: Float32Array
    try {
      const readout = tf.tidy(() => {
        // Each update in its own tidy: its activations are freed before the next one starts.
        let d = { real: tf.scalar(0), fake: tf.scalar(0), realSign: tf.scalar(0) }
        const realSigns: tf.Scalar[] = []
        for (const batch of batches) {
          d = tf.tidy(() => this.discriminatorStep(batch))
          realSigns.push(d.realSign)
        }
        const gLoss = tf.tidy(() => this.generatorStep(batches[0].labels.length))
        if (this.emaStore) {
          const decay = this.step < this.config.ema.startStep ? 0 : this.config.ema.decay
          updateEma(this.emaStore, this.gStore, decay)
        }
        const gammas = this.gammaVariables()
        const finite = this.finiteProbe()
        return tf.concat([tf.stack([d.real, d.fake, gLoss, finite, tf.mean(tf.stack(realSigns))]), ...(gammas.length ? [tf.stack(gammas)] : [])])
      })
      try {
        values = (await readout.data()) as Float32Array
      } finally {
        readout.dispose()
      }
      throwIfGpuFailed('trainStep')
      // Every replica then sees the same losses and takes the same NaN decision.
      values = this.meanOverReplicas(values)
    } catch (err) {
      // The other replicas would wait forever for this one's next exchange.
      this.collective?.abort(`replica ${this.collective.rank}: ${err instanceof Error ? err.message : String(err)}`)
      this.rollback(snapshot, rngBefore, adamBefore)
      throw err
    }
    const [dLossReal, dLossFake, gLoss, finite, realSign] = values
    const gammas = this.attentionLayers.map((layer, i) => ({ layer, value: values[5 + i] }))
    const augmentP = this.config.augment.policy === 'off' ? null : this.augmentState.p
    const nonFinite = await this.findNonFinite({ dLossReal, dLossFake, gLoss }, Number.isFinite(finite))
    if (nonFinite) {
      this.rollback(snapshot, rngBefore, adamBefore)
      return { step: this.step, dLossReal, dLossFake, gLoss, gammas, realSign, augmentP, nonFinite }
    }
    tf.dispose([...snapshot.values()])
    this.step++
    const realImages = batches.reduce((n, b) => n + b.labels.length, 0) * this.share.size
    this.augmentState = observeStep(this.augmentState, realSign, this.config.augment, realImages)
    return { step: this.step, dLossReal, dLossFake, gLoss, gammas, realSign, augmentP: augmentP === null ? null : this.augmentState.p }
  }

  /** Images [N, H, W, C] uint8 from latents z [N, zDim] and labels [N]; evaluation mode, no state change. */
  async sample(z: Float32Array, labels: Int32Array, weights: WeightsChoice): Promise<Uint8Array> {
    const n = labels.length
    const { zDim, imageSize: s, channels: c, batchSize } = this.config
    if (z.length !== n * zDim) throw new Error(`sample: z has ${z.length} values, expected ${n} x zDim ${zDim}`)
    const out = new Uint8Array(n * s * s * c)
    const store = this.storeFor(weights)
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize)
      const images = tf.tidy(() => {
        const x = this.g.apply(tf.tensor2d(z.subarray(start * zDim, end * zDim), [end - start, zDim]), this.labelTensor(labels.subarray(start, end)), evalContext(store))
        return toPixelValues(x)
      })
      out.set(await images.data(), start * s * s * c)
      images.dispose()
    }
    throwIfGpuFailed('sample')
    return out
  }

  /** nPerClass latents per class (class-major), from their own seed: the same sheet at every step. */
  fixedLatents(nPerClass: number, seed: number): { z: Float32Array; labels: Int32Array } {
    return fixedLatents(this.config, nPerClass, seed)
  }

  /**
   * Where the query pixel looks: the LAST generator attention layer's weights
   * over its key grid (side/2 when pooled). Query in image pixels.
   */
  async attentionMap(z: Float32Array, label: number, query: { x: number; y: number }, weights: WeightsChoice): Promise<AttentionMap> {
    const layer = this.g.attention[this.g.attention.length - 1]
    if (!layer) throw new Error('attentionMap: this run has no generator attention layer (ablation or gAttention is empty)')
    const { zDim, imageSize } = this.config
    if (z.length !== zDim) throw new Error(`attentionMap: z has ${z.length} values, expected zDim ${zDim}`)
    const side = Number(layer.name.replace('G.attention', ''))
    const qx = Math.min(side - 1, Math.max(0, Math.floor((query.x * side) / imageSize)))
    const qy = Math.min(side - 1, Math.max(0, Math.floor((query.y * side) / imageSize)))
    const keySide = layer.keySide(side)
    const row = tf.tidy(() => {
      let picked: tf.Tensor | null = null
      const ctx: ForwardContext = {
        ...evalContext(this.storeFor(weights)),
        onAttention: (name, beta) => {
          if (name === layer.name) picked = tf.reshape(tf.slice(beta, [0, qy * side + qx, 0], [1, 1, -1]), [-1]) // [keys]
        },
      }
      this.g.apply(tf.tensor2d(z, [1, zDim]), this.labelTensor(Int32Array.of(label)), ctx)
      if (!picked) throw new Error(`attentionMap: layer ${layer.name} did not run`)
      return picked as tf.Tensor
    })
    const map = (await row.data()) as Float32Array
    row.dispose()
    throwIfGpuFailed('attentionMap')
    return { map, width: keySide, height: keySide, layer: layer.name, variant: layer.variant }
  }

  /** Largest singular value estimate of every spectrally normalised weight (no u update), for logging. */
  async spectralNorms(): Promise<{ layer: string; sigma: number }[]> {
    const names = [this.gStore, this.dStore].flatMap((store) => [...store.params.keys()].filter((n) => store.buffers.has(uNameOf(n))).map((n) => [store, n] as const))
    const values = tf.tidy(() => tf.stack(names.map(([store, n]) => spectralSigma(store, n, false))))
    const out = await values.data()
    values.dispose()
    throwIfGpuFailed('spectralNorms')
    return names.map(([, layer], i) => ({ layer, sigma: out[i] }))
  }

  async getState(): Promise<TrainerState> {
    const variables = this.namedVariables()
    const arrays = await Promise.all(variables.map(([, v]) => v.data() as Promise<Float32Array>))
    const tensors: NamedArray[] = variables.map(([name, v], i) => ({ name, shape: [...v.shape], data: arrays[i] }))
    return { version: 1, step: this.step, rng: this.rng.getState(), adamSteps: { g: this.adamG.step, d: this.adamD.step }, augment: { ...this.augmentState }, tensors }
  }

  dispose(): void {
    for (const store of [this.gStore, this.dStore, this.emaStore]) store?.dispose()
    this.adamG.dispose()
    this.adamD.dispose()
  }

  // --- the two updates ---------------------------------------------------

  /**
   * One D update on real images and G's fakes (one forward over both, as BigGAN), both
   * augmented alike. Returns the two hinge terms and r_t, the mean sign of D(real).
   */
  private discriminatorStep(batch: Batch): { real: tf.Scalar; fake: tf.Scalar; realSign: tf.Scalar } {
    const n = batch.labels.length
    const real = this.augmented(this.imageTensor(batch))
    const { z, labels } = this.drawLatents(n)
    // G in training mode (batch statistics) but leaves its u and running statistics alone.
    const fake = this.augmented(this.g.apply(z, labels, { store: this.gStore, training: true, updateSn: false, updateStats: false, ...this.replicaContext() }))
    const x = tf.concat([real, fake], 0)
    const y = tf.concat([this.labelTensor(batch.labels), labels], 0)
    let parts: { real: tf.Scalar; fake: tf.Scalar; realSign: tf.Scalar } | null = null
    const { grads } = tf.variableGrads(() => {
      const scores = this.d.apply(x, y, { store: this.dStore, training: true, updateSn: true, updateStats: false })
      const [sReal, sFake] = tf.split(scores, 2) as [tf.Tensor1D, tf.Tensor1D]
      const hinge = discriminatorHinge(sReal, sFake)
      parts = { real: tf.keep(hinge.real), fake: tf.keep(hinge.fake), realSign: tf.keep(tf.mean(tf.sign(sReal))) }
      return tf.add(hinge.real, hinge.fake)
    }, this.trainables(this.dStore))
    this.adamD.apply(this.averaged(this.byName(grads), this.dStore))
    const kept = parts as unknown as { real: tf.Scalar; fake: tf.Scalar; realSign: tf.Scalar }
    const out = { real: tf.clone(kept.real), fake: tf.clone(kept.fake), realSign: tf.clone(kept.realSign) }
    tf.dispose([kept.real, kept.fake, kept.realSign])
    return out
  }

  /** One G update through the just-updated D; this pass updates G's u vectors and BN statistics. */
  private generatorStep(n: number): tf.Scalar {
    const { z, labels } = this.drawLatents(n)
    const { value, grads } = tf.variableGrads(() => {
      const fake = this.g.apply(z, labels, { store: this.gStore, training: true, updateSn: true, updateStats: true, ...this.replicaContext() })
      const dCtx: ForwardContext = { store: this.dStore, training: true, updateSn: false, updateStats: false, weightGradients: false }
      return generatorHinge(this.d.apply(this.augmented(fake), labels, dCtx))
    }, this.trainables(this.gStore))
    this.adamG.apply(this.averaged(this.byName(grads), this.gStore))
    return value
  }

  // --- data parallelism ---------------------------------------------------

  /** This replica's index and the replica count (0 of 1 without a collective). */
  private get share(): { rank: number; size: number } {
    return this.collective ?? { rank: 0, size: 1 }
  }

  private replicaContext(): Pick<ForwardContext, 'collective'> {
    return this.collective ? { collective: this.collective } : {}
  }

  /**
   * Every replica applies the mean of all replicas' gradients (the same bits everywhere).
   * Reads synchronously: the all-reduce blocks inside the step, and replicas
   * only run on wasm/cpu (planReplicas), where dataSync is cheap.
   */
  private averaged(grads: Map<string, tf.Tensor>, store: ParamStore): Map<string, tf.Tensor> {
    const collective = this.collective
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

  private meanOverReplicas(values: Float32Array): Float32Array {
    const collective = this.collective
    if (!collective) return values
    return collective.allReduceSum(values).map((v) => v / collective.size)
  }

  // --- helpers -----------------------------------------------------------

  /**
   * Latents and fake labels for n images of this replica: every replica draws
   * the whole batch's (so the rng advances as in a single-worker run and all
   * replicas' rngs stay equal) and keeps its own slice.
   */
  private drawLatents(n: number): { z: tf.Tensor2D; labels: tf.Tensor1D } {
    const { rank, size } = this.share
    const { zDim, numClasses } = this.config
    const z = this.rng.normal(n * size * zDim)
    const labels = new Int32Array(n * size)
    if (numClasses > 0) for (let i = 0; i < labels.length; i++) labels[i] = this.rng.int(numClasses)
    const mine = { from: rank * n, to: (rank + 1) * n }
    return { z: tf.tensor2d(z.subarray(mine.from * zDim, mine.to * zDim), [n, zDim]), labels: this.labelTensor(labels.subarray(mine.from, mine.to)) }
  }

  /**
   * DiffAugment with this step's p, images [n, S, S, C] of this replica: every replica
   * draws the whole batch's randomness, as for the latents, and keeps its slice.
   */
  private augmented(x: tf.Tensor4D): tf.Tensor4D {
    const { policy, ops } = this.config.augment
    if (policy === 'off') return x
    const n = x.shape[0]
    const { rank, size } = this.share
    const draws = drawAugmentations(this.rng, n * size, this.config.imageSize, ops, this.augmentState.p).slice(rank * n, (rank + 1) * n)
    return diffAugment(x, draws, ops)
  }

  /** uint8 [B, H, W, C] -> float [-1, 1], each image flipped left-right with probability 1/2 if flipAugment. */
  private imageTensor(batch: Batch): tf.Tensor4D {
    const { imageSize: s, channels: c } = this.config
    const n = batch.labels.length
    if (batch.images.length !== n * s * s * c) {
      throw new Error(`trainStep: batch has ${batch.images.length} bytes, expected ${n} images x ${s}x${s}x${c}`)
    }
    const x = new Float32Array(batch.images.length)
    const row = s * c
    // One draw per image of the whole batch, as for the latents.
    const { rank, size } = this.share
    const flips = Array.from({ length: this.config.flipAugment ? n * size : 0 }, () => this.rng.uniform() < 0.5).slice(rank * n)
    for (let i = 0; i < n; i++) {
      const flip = flips[i] ?? false
      for (let y = 0; y < s; y++) {
        const base = (i * s + y) * row
        for (let px = 0; px < s; px++) {
          const src = base + (flip ? s - 1 - px : px) * c
          const dst = base + px * c
          for (let k = 0; k < c; k++) x[dst + k] = batch.images[src + k] / 127.5 - 1
        }
      }
    }
    return tf.tensor4d(x, [n, s, s, c])
  }

  private labelTensor(labels: Int32Array): tf.Tensor1D {
    // Unconditional nets ignore labels, but oneHot still needs a valid index.
    const classes = Math.max(1, this.config.numClasses)
    for (const l of labels) if (l < 0 || l >= classes) throw new Error(`label ${l} is outside 0..${classes - 1} (numClasses ${this.config.numClasses})`)
    return tf.tensor1d(labels, 'int32')
  }

  private storeFor(weights: WeightsChoice): ParamStore {
    if (weights === 'ema' && !this.emaStore) throw new Error('EMA weights requested but this run has ema.enabled = false; use raw weights')
    return weights === 'ema' && this.emaStore ? this.emaStore : this.gStore
  }

  private trainables(store: ParamStore): tf.Variable[] {
    return [...store.params.values()]
  }

  private byName(grads: tf.NamedTensorMap): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>()
    for (const [tfName, g] of Object.entries(grads)) {
      const name = this.gradNames.get(tfName)
      if (!name) throw new Error(`trainStep: gradient for a variable the trainer does not own (${tfName})`)
      out.set(name, g)
    }
    return out
  }

  private gammaVariables(): tf.Tensor[] {
    return [
      ...this.g.attention.map((a) => this.gStore.param(a.gammaName)),
      ...this.d.attention.map((a) => this.dStore.param(a.gammaName)),
    ]
  }

  /** Every stateful variable by checkpoint name. */
  private namedVariables(): [string, tf.Variable][] {
    const prefixed = (prefix: string, entries: Iterable<[string, tf.Variable]>) => [...entries].map(([n, v]): [string, tf.Variable] => [`${prefix}/${n}`, v])
    return [
      ...prefixed('G', this.gStore.entries()),
      ...prefixed('D', this.dStore.entries()),
      ...(this.emaStore ? prefixed('Gema', this.emaStore.entries()) : []),
      ...prefixed('adamG.m', this.adamG.m),
      ...prefixed('adamG.v', this.adamG.v),
      ...prefixed('adamD.m', this.adamD.m),
      ...prefixed('adamD.v', this.adamD.v),
    ]
  }

  /**
   * NaN iff some weight or moment is NaN/Inf (0 * Inf = NaN). One concat keeps
   * the kernel count low on wasm/cpu; on webgpu every tensor lives in one GPU
   * buffer, and a concat of the whole state could pass the adapter's binding
   * limit (128 MiB on llvmpipe), so each variable is summed on its own there.
   */
  private finiteProbe(): tf.Scalar {
    const variables = this.namedVariables().map(([, v]) => v)
    // (stack, not addN: webgpu's AddN binds every input at once, past the 8 storage buffers compatibility mode allows.)
    if (tf.getBackend() === 'webgpu') return tf.sum(tf.stack(variables.map((v) => tf.sum(tf.mul(v, 0)))))
    return tf.sum(tf.mul(tf.concat(variables.map((v) => tf.reshape(v, [-1]))), 0))
  }

  /** Cheap references to the current values (clones share memory until a variable is reassigned). */
  private snapshot(): Map<tf.Variable, tf.Tensor> {
    return new Map(this.namedVariables().map(([, v]) => [v, tf.clone(v)]))
  }

  private rollback(snapshot: Map<tf.Variable, tf.Tensor>, rng: ReturnType<Rng['getState']>, adam: { g: number; d: number }): void {
    for (const [v, old] of snapshot) {
      v.assign(old)
      old.dispose()
    }
    this.rng.setState(rng)
    this.adamG.step = adam.g
    this.adamD.step = adam.d
  }

  private async findNonFinite(losses: Record<string, number>, weightsFinite: boolean): Promise<string | undefined> {
    for (const [name, value] of Object.entries(losses)) if (!Number.isFinite(value)) return `loss ${name} = ${value}`
    if (weightsFinite) return undefined
    for (const [name, v] of this.namedVariables()) {
      const bad = tf.tidy(() => tf.any(tf.logicalNot(tf.isFinite(v))))
      const isBad = (await bad.data())[0] === 1
      bad.dispose()
      if (isBad) return `weight ${name}`
    }
    return 'weights (a non-finite value vanished before it could be located)'
  }

  private load(state: TrainerState): void {
    const byName = new Map(state.tensors.map((t) => [t.name, t]))
    const problems: string[] = []
    for (const [name, v] of this.namedVariables()) {
      const t = byName.get(name)
      if (!t) problems.push(`missing ${name}`)
      else if (t.shape.join('x') !== v.shape.join('x')) problems.push(`${name} is ${t.shape.join('x')}, the config builds ${v.shape.join('x')}`)
      else tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)))
    }
    if (problems.length) {
      throw new Error(`Checkpoint does not match this run's config (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; +${problems.length - 3} more` : ''}); resume with the config the checkpoint was saved with`)
    }
    this.step = state.step
    // Checkpoints from before augmentation existed trained without it: the config's start is theirs.
    this.augmentState = state.augment ? { ...state.augment } : initialAugmentState(this.config.augment)
    this.adamG.step = state.adamSteps.g
    this.adamD.step = state.adamSteps.d
  }
}

function evalContext(store: ParamStore): ForwardContext {
  return { store, training: false, updateSn: false, updateStats: false }
}

/** The config the nets are built from: image geometry and classes come from the dataset. */
function effectiveConfig(config: RunConfig, data: TrainingData): RunConfig {
  if (data.imageSize !== config.imageSize) {
    throw new Error(`Dataset images are ${data.imageSize} px but the run config says imageSize ${config.imageSize}; prepare the dataset at ${config.imageSize} px or change imageSize`)
  }
  if (data.numClasses === 1) throw new Error('Dataset has a single class: train it unconditionally (numClasses 0)')
  return { ...config, channels: data.channels, numClasses: data.numClasses }
}

/** G, D and the EMA copy; rng null builds zero weights for a checkpoint to overwrite. */
function build(config: RunConfig, rng: Rng | null): Parts {
  const gStore = new ParamStore('generator')
  const dStore = new ParamStore('discriminator')
  const g = new Generator(new ParamBuilder(gStore, rng), config, config.snG)
  const d = new Discriminator(new ParamBuilder(dStore, rng), config, config.snD)
  const emaStore = config.ema.enabled ? gStore.copy('generator EMA') : null
  return { g, d, gStore, dStore, emaStore }
}
