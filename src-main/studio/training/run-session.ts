// One training run's worker, seen from the main process: starts it, relays
// its events into the store and out as contract events, and carries
// pause / resume / stop to it. The main thread only stores and relays; every
// tensor lives in the worker.
import type { Worker } from 'node:worker_threads'
import type { StudioEvents } from '../../../src-shared/contract'
import type { EventHub } from '../../../src-shared/event-hub'
import { type RunConfig, backendLabel } from '../../../src-shared/run-config'
import { PAUSED_BY_USER, STOPPED_BY_USER, type RunStatus, type StatusReason } from '../../../src-shared/runs'
import type { SamplerState } from '../../data/sampler'
import type { Checkpoint, DatasetPayload, Samples, TrainingCalls, TrainingEvents, TrainingProgress, TrainingReady } from '../../engine/worker/training-contract'
import { sheetColumns } from '../../engine/fixed-latents'
import { encodeGrid } from '../../export/sample-grid'
import type { RunStore } from '../../store/run-store'
import type { TrainingStore } from '../../store/training-store'
import { RunEvaluation } from './run-evaluation'
import { spawnBundledWorker } from '../../workers/bundled-worker'
import { connectWorker, type Rpc } from '../../workers/rpc'
import { stopWorker } from '../../workers/worker-stop'

export interface RunSessionDeps {
  runs: RunStore
  training: TrainingStore
  events: EventHub<StudioEvents>
}

export class RunSession {
  private readonly worker: Worker
  private readonly rpc: Rpc<TrainingCalls, TrainingEvents>
  /** Wall-clock training time: stored total plus the current running stretch. */
  private durationMs: number
  private runningSince: number | null = null
  private ended = false
  /** Why the next 'paused' from the worker happened, when it was not the user. */
  private pauseReason: StatusReason | null = null
  /** Events are handled one at a time, in order (some handlers await PNG encoding). */
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
    this.worker = spawnBundledWorker('training-worker')
    this.rpc = connectWorker<TrainingCalls, TrainingEvents>(this.worker, 'training worker', this.eventHandlers())
    this.worker.on('error', (err) =>
      this.end('failed', { code: 'worker-crashed', text: `The training worker crashed: ${err.message}. Resume continues from the last checkpoint.` }),
    )
    this.worker.on('exit', (code) => {
      if (!this.ended)
        this.end('failed', {
          code: 'worker-crashed',
          text: `The training worker exited unexpectedly (code ${code}). Resume continues from the last checkpoint.`,
        })
    })
  }

  start(dataset: DatasetPayload, resume?: { state: Uint8Array; sampler: SamplerState }): void {
    this.dataset = dataset
    this.rpc.start({ config: this.config, dataset, resume }).then(
      (ready) => this.inTurn(() => this.onReady(ready)),
      // The run could not start at all (backend, memory, data).
      (err: unknown) => this.inTurn(() => this.end('failed', { code: 'start-failed', text: messageOf(err) })),
    )
  }

  pause(): void {
    this.tell(() => this.rpc.pause())
  }

  resume(): void {
    this.setStatus('running')
    this.tell(() => this.rpc.resume())
  }

  stop(): void {
    this.tell(() => this.rpc.stop())
  }

  /** Resolves with the final status once the worker has ended and its output is stored. */
  async finished(): Promise<RunStatus> {
    const status = await this.done
    await this.queue
    return status
  }

  /** Carries a command to a live worker; a worker that is gone already ended the run. */
  private tell(command: () => Promise<void>): void {
    if (!this.ended) command().catch(() => undefined)
  }

  /** Runs a handler after those before it; a failed store write pauses the run (writeFailed). */
  private inTurn(handler: () => void | Promise<void>): void {
    this.queue = this.queue.then(handler).catch((err: unknown) => this.writeFailed(err))
  }

  /** Asks for a checkpoint of the state now and stores it in turn (a pause is a natural place to save). */
  private saveNow(): void {
    if (this.ended) return
    this.rpc.checkpoint().then(
      (c) => this.inTurn(() => this.saveCheckpoint(c)),
      (err: unknown) => {
        // A run that ended first stored its final checkpoint instead.
        if (!this.ended) this.deps.runs.addEvent(this.runId, 'error', `Saving a checkpoint failed: ${messageOf(err)}`)
      },
    )
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

  private onReady(ready: TrainingReady): void {
    this.deps.runs.updateProgress(this.runId, { backend: backendLabel(ready.backend.name, ready.replicas.count, ready.backend.adapter), step: ready.step })
    this.setStatus('running')
    this.startEvaluation(ready.step)
  }

  /** The worker's events, each stored and relayed in turn. */
  private eventHandlers(): TrainingEvents {
    const { runs, training, events } = this.deps
    return {
      progress: (p) => this.inTurn(() => this.onProgress(p)),
      spectralNorms: (step, sigmas) =>
        this.inTurn(() => {
          training.appendSigmas(this.runId, { step, sigmas })
          events.emit('spectralNormsLogged', { runId: this.runId, step, sigmas })
        }),
      sheet: (samples) => this.inTurn(() => this.saveSheet(samples)),
      checkpointTaken: (c) => this.inTurn(() => this.saveCheckpoint(c)),
      paused: () =>
        this.inTurn(() => {
          const reason = this.pauseReason ?? PAUSED_BY_USER
          // A pause is a natural place to save, unless saving is what failed.
          if (this.pauseReason === null) this.saveNow()
          this.pauseReason = null
          this.setStatus('paused', reason)
        }),
      nonFinite: (step, what) =>
        this.inTurn(() => {
          this.pauseReason = {
            code: 'non-finite',
            text: `Paused: ${what} became NaN or infinite at step ${step}; the last good state was kept. Try a lower learning rate, then resume.`,
          }
          this.saveNow()
          this.setStatus('paused', this.pauseReason)
        }),
      completed: () => this.inTurn(() => this.end('completed', null)),
      stopped: () => this.inTurn(() => this.end('stopped', STOPPED_BY_USER)),
      failed: (message) => this.inTurn(() => void runs.addEvent(this.runId, 'error', message)),
    }
  }

  private onProgress(m: TrainingProgress): void {
    const { runs, training, events } = this.deps
    const { step, dLossReal, dLossFake, gLoss, gammas, realSign, augmentP, imagesPerSecond } = m
    const point = { step, dLossReal, dLossFake, gLoss, gammas, realSign, augmentP, imagesPerSecond }
    training.appendLog(this.runId, point)
    runs.updateProgress(this.runId, { step: m.step, durationMs: this.elapsed() })
    events.emit('runProgress', { runId: this.runId, ...point, targetStep: m.targetStep, etaSeconds: m.etaSeconds, backend: m.backend })
    this.evaluation?.onStep(m.step)
  }

  private saveCheckpoint(m: Checkpoint): void {
    this.deps.training.saveCheckpoint(
      this.runId,
      { step: m.step, reason: m.reason, state: m.bytes, sampler: m.sampler },
      this.config.keepLastCheckpoints,
      this.elapsed(),
    )
    this.deps.events.emit('checkpointSaved', { runId: this.runId, step: m.step, reason: m.reason, bytes: m.bytes.byteLength })
  }

  private async saveSheet(m: Samples): Promise<void> {
    const perClass = sheetColumns(this.config.numClasses)
    const png = await encodeGrid({ images: m.images, count: m.count, size: m.imageSize, channels: m.channels, columns: perClass })
    this.deps.training.saveSamples(this.runId, m.step, m.weights, png, perClass)
    this.deps.events.emit('samplesSaved', { runId: this.runId, step: m.step, weights: m.weights })
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
    this.tell(() => this.rpc.pause())
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
      { ...this.deps, sample: (z, labels) => this.rpc.samples(z, labels, this.config.ema.enabled ? 'ema' : 'raw') },
      this.dataset,
      step,
    )
  }

  private end(status: RunStatus, reason: StatusReason | null): void {
    if (this.ended) return
    this.setStatus(status, reason)
    this.ended = true
    // The last evaluation may still be computing: its values belong to the run.
    const evaluated = (this.evaluation?.close() ?? Promise.resolve()).catch(() => undefined)
    void Promise.all([stopWorker(this.worker), evaluated]).finally(() => this.resolveDone(status))
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
