// The training loop the worker runs: owns the trainer and the batch sampler,
// answers TrainingCalls and reports TrainingEvents. Free of worker_threads so
// tests drive it directly; training-worker.ts is the shell and passes in how
// to start data-parallel replicas. Inspection is another session (inspection-session.ts).
import type { GpuAdapterReport } from '../../../src-shared/contract'
import { type BackendPreference, backendLabel } from '../../../src-shared/run-config'
import { gatherBatch } from '../../data/batch'
import { createSampler, type Sampler } from '../../data/sampler'
import { transferring } from '../../workers/rpc'
import { initBackend } from '../backend'
import { SHEET_PER_CLASS, SHEET_UNCONDITIONAL } from '../fixed-latents'
import type { WeightsChoice } from '../inference'
import { assertFitsMemory, estimateTrainingMemory } from '../memory-estimate'
import { type ReplicaPlan, planReplicas } from '../replicas/replica-count'
import { ReplicaGroup, type SpawnReplica } from '../replicas/replica-group'
import { type Batch, SaganTrainer, type TrainingData } from '../trainer'
import type { Checkpoint, CheckpointReason, DatasetPayload, Samples, TrainingCalls, TrainingEvents, TrainingReady, TrainingStart } from './training-contract'

const PROGRESS_INTERVAL_MS = 1000
/** Weight of the newest step in the smoothed step time behind images/s and ETA. */
const PACE_SMOOTHING = 0.2

type Phase = 'idle' | 'running' | 'paused' | 'stopping' | 'done'

export interface SessionOptions {
  now?: () => number
  /** Starts a data-parallel replica worker; without it the session trains alone. */
  spawnReplica?: SpawnReplica
}

export class TrainingSession implements TrainingCalls {
  private phase: Phase = 'idle'
  private trainer: SaganTrainer | null = null
  private sampler: Sampler | null = null
  private dataset: DatasetPayload | null = null
  private data: TrainingData | null = null
  private replicas: ReplicaPlan = { count: 1, reason: 'not started' }
  /** The replicas while they train with this session's trainer (re-formed after a failed step). */
  private group: ReplicaGroup | null = null
  private backend = ''
  /** The GPU when the backend is webgpu: named next to the backend in every progress message. */
  private adapter: GpuAdapterReport | undefined
  private secondsPerStep = 0
  private lastProgress = 0
  /** r_t of the steps since the last progress report: one step's 32 signs are too noisy to plot alone. */
  private realSigns = { sum: 0, count: 0 }
  private lastCheckpointAt = Date.now()
  private loop: Promise<void> = Promise.resolve()
  /** The tail of the trainer's work queue (see exclusive). */
  private serial: Promise<unknown> = Promise.resolve()

  private readonly now: () => number
  private readonly spawnReplica: SpawnReplica | undefined

  constructor(
    private readonly events: TrainingEvents,
    options: SessionOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.spawnReplica = options.spawnReplica
  }

  /** Resolves when the training loop last started (by start or resume) has ended; tests await it. */
  settled(): Promise<void> {
    return this.loop
  }

  async probeBackend() {
    // A probe switches the process's backend: only a fresh worker may answer it.
    if (this.phase !== 'idle' || this.trainer) throw new Error('probeBackend: this worker already has a run; probe from a new worker')
    return initBackend('auto', { webgpu: true })
  }

  async start({ config, dataset, resume }: TrainingStart): Promise<TrainingReady> {
    if (this.phase !== 'idle') throw new Error('start: this worker already has a run; start a new worker for another run')
    this.phase = 'paused' // until the loop starts: no second start, and requests are answered
    try {
      const info = await initBackend(config.backend, { webgpu: true })
      this.replicas = this.spawnReplica ? planReplicas(config, info.name) : { count: 1, reason: 'this process cannot start replica workers' }
      const gpuLimits = info.adapter?.limits
      assertFitsMemory(config, info.name, { replicas: this.replicas.count, gpuLimits }) // before any weights are allocated
      const data = { numClasses: dataset.classNames.length, classNames: dataset.classNames, imageSize: dataset.imageSize, channels: dataset.channels }
      this.data = data
      this.trainer = resume ? await SaganTrainer.restore(config, data, SaganTrainer.deserializeState(resume.state)) : await SaganTrainer.create(config, data)
      this.backend = info.name
      this.adapter = info.adapter
      await this.formGroup()
      const memory = estimateTrainingMemory(config, info.name, { replicas: this.replicas.count, gpuLimits })
      this.sampler = createSampler(
        { labels: dataset.labels, batchSize: config.batchSize, seed: config.seed, classBalanced: config.classBalanced },
        resume?.sampler,
      )
      this.dataset = dataset
      // The loop starts after this answer has gone out, so 'ready' reaches the main process before any progress
      // (unless a stop or resume came first).
      this.loop = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        if (this.phase !== 'paused') return
        this.runLoop()
        return this.loop
      })
      return { backend: info, replicas: this.replicas, memory, step: this.trainer.completedSteps, attentionLayers: this.trainer.attentionLayers }
    } catch (err) {
      this.phase = 'idle'
      throw err
    }
  }

  async pause(): Promise<void> {
    if (this.phase === 'running') this.phase = 'paused' // the loop reports 'paused' after its step
  }

  async resume(): Promise<void> {
    if (this.phase === 'paused' && this.sampler) this.runLoop()
  }

  async stop(): Promise<void> {
    if (this.phase === 'running') this.phase = 'stopping'
    else if (this.phase === 'paused' || this.phase === 'idle') await this.finish('stopped')
  }

  samples(z: Float32Array, labels: Int32Array, weights: WeightsChoice): Promise<Samples> {
    return this.exclusive(async () => transferringImages(await this.draw(z, labels, weights)))
  }

  checkpoint(): Promise<Checkpoint> {
    return this.exclusive(async () => transferringBytes(await this.takeCheckpoint('requested')))
  }

  private runLoop(): void {
    this.phase = 'running'
    this.loop = this.formGroup()
      .then(() => this.trainLoop())
      .catch(async (err: unknown) => {
        // The step was undone on every replica; a resume starts a fresh group from this state.
        await this.disbandGroup()
        this.events.failed(err instanceof Error ? err.message : String(err))
        this.phase = 'paused'
        this.events.paused(this.trainer?.completedSteps ?? 0)
      })
  }

  /** Starts the planned replicas from the trainer's current state; if they cannot start, trains alone and says why. */
  private async formGroup(): Promise<void> {
    const { trainer, data, spawnReplica } = this
    if (this.group || this.replicas.count < 2 || !trainer || !data || !spawnReplica) return
    try {
      this.group = await ReplicaGroup.start(trainer, this.replicas.count, this.backend as BackendPreference, data, spawnReplica)
    } catch (err) {
      const reason = `replicas could not start (${err instanceof Error ? err.message : String(err)})`
      // Alone, this trainer holds the whole batch: it may not fit where a share did.
      const alone = estimateTrainingMemory(trainer.config, this.backend)
      if (!alone.fits) throw new Error(`${reason}; training alone instead: ${alone.message}`, { cause: err })
      this.replicas = { count: 1, reason }
    }
  }

  private async disbandGroup(): Promise<void> {
    const group = this.group
    this.group = null
    await group?.dispose()
  }

  /**
   * Runs trainer work one piece at a time, in arrival order: reads are
   * asynchronous (webgpu), so a request arriving mid-step would otherwise see
   * a half-done step (new weights, old step count). Never nest calls.
   */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work)
    this.serial = run.catch(() => undefined)
    return run
  }

  private async trainLoop(): Promise<void> {
    const trainer = this.need()
    const config = trainer.config
    while (this.phase === 'running') {
      if (trainer.completedSteps >= config.steps) return this.finish('completed')
      if (!(await this.exclusive(() => this.trainOneStep(trainer)))) break
      // Let pause/stop/requests in between steps.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    if (this.phase === 'paused') this.events.paused(trainer.completedSteps)
    if (this.phase === 'stopping') await this.finish('stopped')
  }

  /** One step with its progress, sheet and interval checkpoint; false when a NaN/Inf step paused the run. */
  private async trainOneStep(trainer: SaganTrainer): Promise<boolean> {
    const config = trainer.config
    const started = this.now()
    const batches = Array.from({ length: trainer.batchesPerStep }, () => this.nextBatch())
    const result = await (this.group ? this.group.trainStep(batches) : trainer.trainStep(batches))
    if (result.nonFinite) {
      this.phase = 'paused'
      this.events.nonFinite(result.step, result.nonFinite)
      return false
    }
    const seconds = (this.now() - started) / 1000
    this.secondsPerStep = this.secondsPerStep === 0 ? seconds : this.secondsPerStep * (1 - PACE_SMOOTHING) + seconds * PACE_SMOOTHING
    this.realSigns.sum += result.realSign
    this.realSigns.count++
    if (this.now() - this.lastProgress >= PROGRESS_INTERVAL_MS || result.step >= config.steps) {
      this.lastProgress = this.now()
      const realSign = this.realSigns.sum / this.realSigns.count
      this.realSigns = { sum: 0, count: 0 }
      this.events.progress({
        step: result.step,
        targetStep: config.steps,
        dLossReal: result.dLossReal,
        dLossFake: result.dLossFake,
        gLoss: result.gLoss,
        gammas: result.gammas,
        realSign,
        augmentP: result.augmentP,
        imagesPerSecond: this.secondsPerStep > 0 ? (config.batchSize * trainer.batchesPerStep) / this.secondsPerStep : 0,
        etaSeconds: Math.max(0, config.steps - result.step) * this.secondsPerStep,
        backend: backendLabel(this.backend, this.replicas.count, this.adapter),
      })
    }
    if (result.step % config.sampleEvery === 0) await this.sendSheet()
    const minutes = (this.now() - this.lastCheckpointAt) / 60000
    if (result.step % config.checkpointEvery.steps === 0 || minutes >= config.checkpointEvery.minutes)
      this.events.checkpointTaken(transferringBytes(await this.takeCheckpoint('interval')))
    return true
  }

  private async finish(kind: 'completed' | 'stopped'): Promise<void> {
    if (this.trainer) this.events.checkpointTaken(transferringBytes(await this.exclusive(() => this.takeCheckpoint('final'))))
    this.phase = 'done'
    void this.disbandGroup()
    const step = this.trainer?.completedSteps ?? 0
    // Released before the lead hears of it: the lead terminates this worker on the event, and Dawn
    // aborts the whole process when a GPU buffer is released while its worker is torn down.
    this.trainer?.dispose()
    this.trainer = null
    if (kind === 'completed') this.events.completed(step)
    else this.events.stopped(step)
  }

  private nextBatch(): Batch {
    const dataset = this.dataset
    const sampler = this.sampler
    if (!dataset || !sampler) throw new Error('no dataset: start first')
    const indices = sampler.next()
    return { images: gatherBatch(dataset, indices), labels: indices.map((i) => dataset.labels[i]) }
  }

  private async sendSheet(): Promise<void> {
    const trainer = this.need()
    const perClass = trainer.config.numClasses > 0 ? SHEET_PER_CLASS : SHEET_UNCONDITIONAL
    const { z, labels } = trainer.fixedLatents(perClass, trainer.config.seed)
    // Both kinds when EMA is on, so the gallery can compare raw and averaged weights.
    this.events.sheet(transferringImages(await this.draw(z, labels, 'raw')))
    if (trainer.config.ema.enabled) this.events.sheet(transferringImages(await this.draw(z, labels, 'ema')))
    // sigma of every SN layer from its stored u: cheap, so read with each sheet.
    this.events.spectralNorms(trainer.completedSteps, await trainer.spectralNorms())
  }

  private async draw(z: Float32Array, labels: Int32Array, weights: WeightsChoice): Promise<Samples> {
    const trainer = this.need()
    const images = await trainer.sample(z, labels, weights)
    const { imageSize, channels } = trainer.config
    return { step: trainer.completedSteps, weights, images, labels, count: labels.length, imageSize, channels }
  }

  private async takeCheckpoint(reason: CheckpointReason): Promise<Checkpoint> {
    const trainer = this.need()
    const bytes = SaganTrainer.serializeState(await trainer.getState())
    if (reason === 'interval') await this.group?.verifyLockstep(bytes) // never checkpoint a state the replicas do not share
    this.lastCheckpointAt = this.now()
    return { reason, step: trainer.completedSteps, bytes, sampler: this.sampler!.getState() }
  }

  private need(): SaganTrainer {
    if (!this.trainer) throw new Error(this.phase === 'done' ? 'the run has ended; start a new one' : 'no run yet: start first')
    return this.trainer
  }
}

function transferringImages(samples: Samples): Samples {
  return transferring(samples, [samples.images.buffer])
}

function transferringBytes(checkpoint: Checkpoint): Checkpoint {
  return transferring(checkpoint, [checkpoint.bytes.buffer])
}
