// One training run's worker, seen from the main process: starts it, relays
// its messages into the store and out as contract events, and carries
// pause / resume / stop to it. The main thread only stores and relays; every
// tensor lives in the worker.
import type { Worker } from 'node:worker_threads'
import type { StudioEvents } from '../../../src-shared/contract'
import type { EventHub } from '../../../src-shared/event-hub'
import { type RunConfig, backendLabel } from '../../../src-shared/run-config'
import { PAUSED_BY_USER, STOPPED_BY_USER, type RunStatus, type StatusReason } from '../../../src-shared/runs'
import type { SamplerState } from '../../data/sampler'
import type { DatasetPayload, MainToWorker, WorkerToMain } from '../../engine/worker/messages'
import { sheetColumns } from '../../engine/fixed-latents'
import { encodeGrid } from '../../export/sample-grid'
import type { RunStore } from '../../store/run-store'
import type { TrainingStore } from '../../store/training-store'
import { RunEvaluation } from './run-evaluation'
import { spawnBundledWorker } from '../../engine/worker/bundled-worker'

export interface RunSessionDeps {
  runs: RunStore
  training: TrainingStore
  events: EventHub<StudioEvents>
  spawn?: () => Worker
}

export class RunSession {
  private readonly worker: Worker
  /** Wall-clock training time: stored total plus the current running stretch. */
  private durationMs: number
  private runningSince: number | null = null
  private ended = false
  private ready = false
  /** Why the next 'paused' from the worker happened, when it was not the user. */
  private pauseReason: StatusReason | null = null
  /** Messages are handled one at a time, in order (some handlers await PNG encoding). */
  private queue: Promise<void> = Promise.resolve()
  private evaluation: RunEvaluation | null = null
  private dataset: DatasetPayload | null = null
  private readonly done: Promise<RunStatus>
  private resolveDone!: (status: RunStatus) => void

  constructor(
    readonly runId: string,
    private readonly config: RunConfig,
    private readonly deps: RunSessionDeps,
  ) {
    this.durationMs = deps.runs.get(runId).durationMs
    this.done = new Promise((resolve) => (this.resolveDone = resolve))
    this.worker = deps.spawn ? deps.spawn() : spawnBundledWorker('training-worker')
    this.worker.on('message', (m: WorkerToMain) => {
      this.queue = this.queue.then(() => this.onMessage(m)).catch((err: unknown) => this.writeFailed(err))
    })
    this.worker.on('error', (err) => this.end('failed', { code: 'worker-crashed', text: `The training worker crashed: ${err.message}. Resume continues from the last checkpoint.` }))
    this.worker.on('exit', (code) => {
      if (!this.ended) this.end('failed', { code: 'worker-crashed', text: `The training worker exited unexpectedly (code ${code}). Resume continues from the last checkpoint.` })
    })
  }

  start(dataset: DatasetPayload, resume?: { state: Uint8Array; sampler: SamplerState }): void {
    this.dataset = dataset
    this.post({ type: 'start', config: this.config, dataset, resume })
  }

  pause(): void {
    this.post({ type: 'pause' })
  }

  resume(): void {
    this.setStatus('running')
    this.post({ type: 'resume' })
  }

  stop(): void {
    this.post({ type: 'stop' })
  }

  /** Resolves with the final status once the worker has ended and its output is stored. */
  async finished(): Promise<RunStatus> {
    const status = await this.done
    await this.queue
    return status
  }

  private post(message: MainToWorker): void {
    if (!this.ended) this.worker.postMessage(message)
  }

  private elapsed(): number {
    return this.durationMs + (this.runningSince === null ? 0 : Date.now() - this.runningSince)
  }

  private setStatus(status: RunStatus, reason: StatusReason | null = null): void {
    if (status === 'running') this.runningSince ??= Date.now()
    else if (this.runningSince !== null) {
      this.durationMs += Date.now() - this.runningSince
      this.runningSince = null
    }
    this.deps.runs.updateProgress(this.runId, { durationMs: this.durationMs })
    this.deps.events.emit('runUpdated', this.deps.runs.setStatus(this.runId, status, reason))
  }

  private async onMessage(m: WorkerToMain): Promise<void> {
    const { runs, training, events } = this.deps
    switch (m.type) {
      case 'ready':
        this.ready = true
        runs.updateProgress(this.runId, { backend: backendLabel(m.backend.name, m.replicas.count, m.backend.adapter), step: m.step })
        this.setStatus('running')
        this.startEvaluation(m.step)
        break
      case 'progress': {
        const { step, dLossReal, dLossFake, gLoss, gammas, realSign, augmentP, imagesPerSecond } = m
        const point = { step, dLossReal, dLossFake, gLoss, gammas, realSign, augmentP, imagesPerSecond }
        training.appendLog(this.runId, point)
        runs.updateProgress(this.runId, { step: m.step, durationMs: this.elapsed() })
        events.emit('runProgress', { runId: this.runId, ...point, targetStep: m.targetStep, etaSeconds: m.etaSeconds, backend: m.backend })
        this.evaluation?.onStep(m.step)
        break
      }
      case 'spectralNorms':
        training.appendSigmas(this.runId, { step: m.step, sigmas: m.sigmas })
        events.emit('spectralNormsLogged', { runId: this.runId, step: m.step, sigmas: m.sigmas })
        break
      case 'checkpoint':
        training.saveCheckpoint(this.runId, { step: m.step, reason: m.reason, state: m.bytes, sampler: m.sampler }, this.config.keepLastCheckpoints, this.elapsed())
        events.emit('checkpointSaved', { runId: this.runId, step: m.step, reason: m.reason, bytes: m.bytes.byteLength })
        break
      case 'samples': {
        if (m.requestId !== undefined) {
          this.evaluation?.onSamples(m.requestId, m.step, m.images, m.labels)
          break
        }
        const perClass = sheetColumns(this.config.numClasses)
        const png = await encodeGrid({ images: m.images, count: m.count, size: m.imageSize, channels: m.channels, columns: perClass })
        training.saveSamples(this.runId, m.step, m.weights, png, perClass)
        events.emit('samplesSaved', { runId: this.runId, step: m.step, weights: m.weights })
        break
      }
      case 'paused': {
        const reason = this.pauseReason ?? PAUSED_BY_USER
        // A pause is a natural place to save, unless saving is what failed.
        if (this.pauseReason === null) this.post({ type: 'requestCheckpoint', requestId: 0 })
        this.pauseReason = null
        this.setStatus('paused', reason)
        break
      }
      case 'nonFinite':
        this.pauseReason = { code: 'non-finite', text: `Paused: ${m.what} became NaN or infinite at step ${m.step}; the last good state was kept. Try a lower learning rate, then resume.` }
        this.post({ type: 'requestCheckpoint', requestId: 0 })
        this.setStatus('paused', this.pauseReason)
        break
      case 'completed':
        this.end('completed', null)
        break
      case 'stopped':
        this.end('stopped', STOPPED_BY_USER)
        break
      case 'error':
        // Before 'ready' the run could not start at all (backend, memory, data).
        if (!this.ready) this.end('failed', { code: 'start-failed', text: m.message })
        else if (RunEvaluation.owns(m.requestId)) this.evaluation?.cancelSampling()
        else if (m.requestId === undefined) runs.addEvent(this.runId, 'error', m.message)
        break
      case 'attention':
        break
    }
  }

  /**
   * A store write failed (typically a full disk). The database is unchanged by
   * the failed transaction and the worker keeps its state in memory: pause, so
   * the user can free space and resume without losing a step.
   */
  private writeFailed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err)
    const code = (err as { code?: string }).code ?? ''
    const full = /FULL|ENOSPC/.test(code) || /disk is full|no space/i.test(message)
    this.pauseReason = full
      ? { code: 'disk-full', text: `Paused: the disk holding the data folder is full (${message}). Nothing was lost; free some space, then resume.` }
      : { code: 'write-failed', text: `Paused: saving training output failed (${message}). Nothing was lost; resume to try again.` }
    this.post({ type: 'pause' })
    try {
      this.setStatus('paused', this.pauseReason)
    } catch {
      // Even the status write may fail on a full disk; the worker is paused either way.
    }
  }

  /** Evaluation only when the run will reach an evaluation step: preparing it costs a classifier training. */
  private startEvaluation(step: number): void {
    const { evalEvery, steps } = this.config
    if (!this.dataset || evalEvery <= 0 || evalEvery > steps || step >= steps) return
    this.evaluation = new RunEvaluation(
      this.runId,
      this.config,
      { ...this.deps, requestSamples: (requestId, z, labels) => this.post({ type: 'requestSamples', requestId, z, labels, weights: this.config.ema.enabled ? 'ema' : 'raw' }) },
      this.dataset,
      step,
    )
  }

  private end(status: RunStatus, reason: StatusReason | null): void {
    if (this.ended) return
    this.setStatus(status, reason)
    this.ended = true
    void this.worker.terminate()
    // The last evaluation may still be computing: its values belong to the run.
    void (this.evaluation?.close() ?? Promise.resolve()).catch(() => undefined).finally(() => this.resolveDone(status))
  }
}
