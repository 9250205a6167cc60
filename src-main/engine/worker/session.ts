// The training loop the worker runs: owns the trainer and the batch sampler,
// obeys MainToWorker messages and reports WorkerToMain ones. Free of
// worker_threads so tests drive it directly; training-worker.ts is the shell
// and passes in how to start data-parallel replicas.
import { gatherBatch } from '../../data/batch'
import { createSampler, type Sampler } from '../../data/sampler'
import { initBackend } from '../backend'
import { SHEET_PER_CLASS, SHEET_UNCONDITIONAL } from '../fixed-latents'
import { assertFitsMemory, estimateTrainingMemory } from '../memory-estimate'
import { type ReplicaPlan, planReplicas } from '../replicas/replica-count'
import { ReplicaGroup, type SpawnReplica } from '../replicas/replica-group'
import { type Batch, SaganTrainer, type TrainingData, type WeightsChoice } from '../trainer'
import type { CheckpointReason, DatasetPayload, MainToWorker, WorkerToMain } from './messages'
import type { GpuAdapterReport } from '../../../src-shared/contract'
import { type BackendPreference, type RunConfig, backendLabel } from '../../../src-shared/run-config'

export type Post = (message: WorkerToMain, transfer?: ArrayBuffer[]) => void

const PROGRESS_INTERVAL_MS = 1000
/** Weight of the newest step in the smoothed step time behind images/s and ETA. */
const PACE_SMOOTHING = 0.2

type Phase = 'idle' | 'running' | 'paused' | 'stopping' | 'done'

export interface SessionOptions {
  now?: () => number
  /** Starts a data-parallel replica worker; without it the session trains alone. */
  spawnReplica?: SpawnReplica
}

export class TrainingSession {
  private phase: Phase = 'idle'
  private trainer: SaganTrainer | null = null
  private sampler: Sampler | null = null
  private dataset: DatasetPayload | null = null
  private data: TrainingData | null = null
  private replicas: ReplicaPlan = { count: 1, reason: 'not started' }
  /** The replicas while they train with this session's trainer (re-formed after a failed step). */
  private group: ReplicaGroup | null = null
  /** What an inspect-only worker needs to restore another checkpoint. */
  private inspecting: { config: RunConfig; data: TrainingData } | null = null
  private backend = ''
  /** The GPU when the backend is webgpu: named next to the backend in every progress message. */
  private adapter: GpuAdapterReport | undefined
  private secondsPerStep = 0
  private lastProgress = 0
  /** r_t of the steps since the last progress report: one step's 32 signs are too noisy to plot alone. */
  private realSigns = { sum: 0, count: 0 }
  private lastCheckpointAt = Date.now()
  private loop: Promise<void> | null = null
  /** The tail of the trainer's work queue (see exclusive). */
  private serial: Promise<unknown> = Promise.resolve()

  private readonly now: () => number
  private readonly spawnReplica: SpawnReplica | undefined

  constructor(
    private readonly post: Post,
    options: SessionOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.spawnReplica = options.spawnReplica
  }

  /** Resolves when the loop started by this message (if any) has ended; tests await it. */
  async handle(message: MainToWorker): Promise<void> {
    try {
      switch (message.type) {
        case 'start':
          await this.start(message)
          break
        case 'probeBackend':
          // A probe switches the process's backend: only a fresh worker may answer it.
          if (this.phase !== 'idle' || this.trainer) throw new Error('probeBackend: this worker already has a run; probe from a new worker')
          this.post({ type: 'backend', backend: await initBackend('auto', { webgpu: true }) })
          break
        case 'pause':
          if (this.phase === 'running') this.phase = 'paused' // the loop posts 'paused' after its step
          break
        case 'resume':
          if (this.phase === 'paused') this.runLoop()
          break
        case 'stop':
          if (this.phase === 'running') this.phase = 'stopping'
          else if (this.phase === 'paused' || this.phase === 'idle') await this.finish('stopped')
          break
        case 'requestSamples':
          await this.exclusive(() => this.sendSamples(message.z, message.labels, message.weights, message.requestId))
          break
        case 'requestAttention':
          await this.exclusive(async () => {
            const trainer = this.need()
            const attention = await trainer.attentionMap(message.z, message.label, message.query, message.weights)
            this.post({ type: 'attention', requestId: message.requestId, step: trainer.completedSteps, attention }, [attention.map.buffer as ArrayBuffer])
          })
          break
        case 'requestCheckpoint':
          await this.exclusive(() => this.sendCheckpoint('requested', message.requestId))
          break
        case 'inspectState':
          await this.exclusive(async () => {
            const { config, data } = this.inspecting ?? {}
            if (!config || !data) throw new Error('inspectState: only an inspect-only worker can load another checkpoint')
            const next = await SaganTrainer.restore(config, data, SaganTrainer.deserializeState(message.state))
            this.trainer?.dispose()
            this.trainer = next
            this.post({ type: 'inspecting', requestId: message.requestId, step: next.completedSteps })
          })
          break
      }
    } catch (err) {
      this.post({ type: 'error', message: err instanceof Error ? err.message : String(err), requestId: 'requestId' in message ? message.requestId : undefined })
    }
    if (message.type === 'start' || message.type === 'resume') await this.loop
  }

  private async start(message: Extract<MainToWorker, { type: 'start' }>): Promise<void> {
    if (this.phase !== 'idle') throw new Error('start: this worker already has a run; start a new worker for another run')
    const { config, dataset, resume } = message
    const info = await initBackend(config.backend, { webgpu: true })
    this.replicas = message.inspectOnly
      ? { count: 1, reason: 'inspection does not train' }
      : this.spawnReplica
        ? planReplicas(config, info.name)
        : { count: 1, reason: 'this process cannot start replica workers' }
    const gpuLimits = info.adapter?.limits
    assertFitsMemory(config, info.name, { replicas: this.replicas.count, gpuLimits }) // before any weights are allocated
    const data = { numClasses: dataset.classNames.length, classNames: dataset.classNames, imageSize: dataset.imageSize, channels: dataset.channels }
    this.data = data
    this.trainer = resume
      ? await SaganTrainer.restore(config, data, SaganTrainer.deserializeState(resume.state))
      : await SaganTrainer.create(config, data)
    this.backend = info.name
    this.adapter = info.adapter
    if (!message.inspectOnly) await this.formGroup()
    const memory = estimateTrainingMemory(config, info.name, { replicas: this.replicas.count, gpuLimits })
    const ready = () =>
      this.post({ type: 'ready', backend: info, replicas: this.replicas, memory, step: this.trainer!.completedSteps, attentionLayers: this.trainer!.attentionLayers })
    if (message.inspectOnly) {
      // Requests are answered in the paused phase; no sampler, no loop.
      this.phase = 'paused'
      this.inspecting = { config, data }
      return ready()
    }
    this.sampler = createSampler({ labels: dataset.labels, batchSize: config.batchSize, seed: config.seed, classBalanced: config.classBalanced }, resume?.sampler)
    this.dataset = dataset
    ready()
    this.runLoop()
  }

  private runLoop(): void {
    this.phase = 'running'
    this.loop = this.formGroup()
      .then(() => this.trainLoop())
      .catch(async (err: unknown) => {
        // The step was undone on every replica; a resume starts a fresh group from this state.
        await this.disbandGroup()
        this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) })
        this.phase = 'paused'
        this.post({ type: 'paused', step: this.trainer?.completedSteps ?? 0 })
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
      // Let pause/stop/request messages in between steps.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    if (this.phase === 'paused') this.post({ type: 'paused', step: trainer.completedSteps })
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
      this.post({ type: 'nonFinite', step: result.step, what: result.nonFinite })
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
      this.post({
        type: 'progress',
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
    if (result.step % config.checkpointEvery.steps === 0 || minutes >= config.checkpointEvery.minutes) await this.sendCheckpoint('interval')
    return true
  }

  private async finish(kind: 'completed' | 'stopped'): Promise<void> {
    if (this.trainer) await this.exclusive(() => this.sendCheckpoint('final'))
    this.phase = 'done'
    void this.disbandGroup()
    this.post({ type: kind, step: this.trainer?.completedSteps ?? 0 })
    this.trainer?.dispose()
    this.trainer = null
  }

  private nextBatch(): Batch {
    const dataset = this.dataset
    const sampler = this.sampler
    if (!dataset || !sampler) throw new Error('no dataset: send start first')
    const indices = sampler.next()
    return { images: gatherBatch(dataset, indices), labels: indices.map((i) => dataset.labels[i]) }
  }

  private async sendSheet(): Promise<void> {
    const trainer = this.need()
    const perClass = trainer.config.numClasses > 0 ? SHEET_PER_CLASS : SHEET_UNCONDITIONAL
    const { z, labels } = trainer.fixedLatents(perClass, trainer.config.seed)
    // Both kinds when EMA is on, so the gallery can compare raw and averaged weights.
    await this.sendSamples(z, labels, 'raw')
    if (trainer.config.ema.enabled) await this.sendSamples(z, labels, 'ema')
    // sigma of every SN layer from its stored u: cheap, so read with each sheet.
    this.post({ type: 'spectralNorms', step: trainer.completedSteps, sigmas: await trainer.spectralNorms() })
  }

  private async sendSamples(z: Float32Array, labels: Int32Array, weights: WeightsChoice, requestId?: number): Promise<void> {
    const trainer = this.need()
    const images = await trainer.sample(z, labels, weights)
    const { imageSize, channels } = trainer.config
    this.post({ type: 'samples', requestId, step: trainer.completedSteps, weights, images, labels, count: labels.length, imageSize, channels }, [images.buffer as ArrayBuffer])
  }

  private async sendCheckpoint(reason: CheckpointReason, requestId?: number): Promise<void> {
    const trainer = this.need()
    const bytes = SaganTrainer.serializeState(await trainer.getState())
    if (reason === 'interval') await this.group?.verifyLockstep(bytes) // never checkpoint a state the replicas do not share
    this.lastCheckpointAt = this.now()
    this.post({ type: 'checkpoint', reason, requestId, step: trainer.completedSteps, bytes, sampler: this.sampler!.getState() }, [bytes.buffer as ArrayBuffer])
  }

  private need(): SaganTrainer {
    if (!this.trainer) throw new Error(this.phase === 'done' ? 'the run has ended; start a new one' : 'no run yet: send start first')
    return this.trainer
  }
}
