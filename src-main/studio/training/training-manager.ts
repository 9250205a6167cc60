// Starts, pauses, resumes and stops training runs. Owns one RunSession per
// live run; everything durable goes through the stores.
import { basename, isAbsolute, join } from 'node:path'
import { ZodError, z } from 'zod'
import type { BackendReport } from '../../../src-shared/contract'
import type { DatasetReport, ScanProgress } from '../../../src-shared/dataset'
import { StudioError } from '../../../src-shared/errors'
import { buildRunConfig, type DatasetFacts, type RunConfig, type RunConfigInput } from '../../../src-shared/run-config'
import { STOPPED_BY_USER, type RunSummary } from '../../../src-shared/runs'
import { DEMO_DATASET, type AttentionView, type RunEstimate, type StartRun } from '../../../src-shared/training'
import { APP_VERSION } from '../../../src-shared/version'
import { checkDataset, loadDataset, renderPreviewGrid, type LoadedDataset } from '../../data'
import type { SamplerState } from '../../data/sampler'
import type { DatasetPayload } from '../../engine/worker/training-contract'
import { demoDatasetDir } from '../resources'
import { estimateRun } from './run-estimate'
import { RunInspector, type AttentionQuery } from './run-inspector'
import { RunSession, type RunSessionDeps } from './run-session'
import type { TrainingLease } from '../../store/training-lease'
import { describeOwner } from '../../store/training-lease'

const INSPECTOR_IDLE_MS = 120_000

/** Runs that may wait for their turn; more are refused rather than piled up. */
const MAX_QUEUED_RUNS = 16

/** A run waiting for its turn: `begin` loads its dataset and launches it. */
interface QueuedRun {
  id: string
  begin: () => Promise<void>
  /** Resolves once it has started (or left the queue), for waitFor. */
  started: () => void
  whenStarted: Promise<void>
}

/** A kept checkpoint by id and step, without its state bytes. */
type CheckpointRef = { id: number; step: number }

export interface TrainingManagerDeps extends RunSessionDeps {
  dataDir: string
  /** Runs that train at once in this folder (default 1); the others queue. */
  maxConcurrentRuns?: number
  /** This folder's one owner of training; held while any run of this process trains. */
  lease: TrainingLease
}

export class TrainingManager {
  private readonly sessions = new Map<string, RunSession>()
  private readonly inspectors = new Map<string, { inspector: RunInspector; timer: NodeJS.Timeout | undefined }>()
  /** The last inspection request queued per run. */
  private readonly inspecting = new Map<string, Promise<unknown>>()
  /** Dataset checks in flight, by the path the UI gave, so they can be cancelled. */
  private readonly checks = new Map<string, AbortController>()
  /** Runs waiting for a free training slot, oldest first. */
  private readonly queue: QueuedRun[] = []
  /** A queued run whose dataset is loading at its turn: neither queued nor training yet. */
  private starting: QueuedRun | null = null

  constructor(private readonly deps: TrainingManagerDeps) {}

  resolveDatasetPath(path: string): string {
    if (path === DEMO_DATASET) return demoDatasetDir()
    if (!isAbsolute(path)) throw new StudioError('invalid-argument', `The dataset path must be absolute: ${path}`, 'datasetPath')
    return path
  }

  async checkDataset(path: string, imageSize = 32): Promise<DatasetReport> {
    const root = this.resolveDatasetPath(path)
    this.checks.get(path)?.abort()
    const controller = new AbortController()
    this.checks.set(path, controller)
    let last = 0
    const onProgress = (p: ScanProgress) => {
      // Several hundred files a second: a few updates a second are plenty for a progress bar.
      if (Date.now() - last < 150 && p.done !== p.total) return
      last = Date.now()
      this.deps.events.emit('datasetProgress', { path, ...p })
    }
    try {
      // The cache folder makes the next load (start, preview) of the same folder warm.
      return await checkDataset(root, { imageSize }, { cacheDir: this.cacheDir(), onProgress, signal: controller.signal })
    } catch (err) {
      if (controller.signal.aborted) throw new StudioError('cancelled', `The check of ${root} was cancelled.`, root)
      throw new StudioError('invalid-argument', (err as Error).message, root)
    } finally {
      if (this.checks.get(path) === controller) this.checks.delete(path)
    }
  }

  cancelCheck(path: string): void {
    this.checks.get(path)?.abort()
  }

  async preview(path: string, classIndex: number, imageSize = 32): Promise<Uint8Array> {
    const root = this.resolveDatasetPath(path)
    const dataset = await loadDataset(root, { imageSize }, { cacheDir: this.cacheDir() }).catch((err: unknown) => {
      throw new StudioError('invalid-argument', (err as Error).message, root)
    })
    if (classIndex >= dataset.classNames.length) {
      throw new StudioError('invalid-argument', `Class ${classIndex} does not exist in ${root} (it has ${dataset.classNames.length}).`, 'classIndex')
    }
    return new Uint8Array(await renderPreviewGrid(dataset, classIndex, { maxImages: 16, columns: 8, minCellSize: 32 }))
  }

  /** probed: what 'auto' gets here. A run that names webgpu trains there even on a software adapter, which auto skips. */
  estimate(req: StartRun, probed: BackendReport): RunEstimate {
    const config = configFrom(req.preset, req.ablation, req.overrides ?? {})
    const backend = config.backend === 'webgpu' ? 'webgpu' : probed.name
    return estimateRun(config, backend, undefined, backend === probed.name ? probed.adapter : undefined)
  }

  /** A new run with another run's dataset and every setting of its config (steps restart at 0). */
  async clone(id: string, name?: string): Promise<RunSummary> {
    const source = this.deps.runs.get(id)
    const config = this.deps.runs.config(id)
    const { preset, ablation, ...settings } = config
    return this.startRun({
      datasetPath: source.datasetPath === demoDatasetDir() ? DEMO_DATASET : source.datasetPath,
      name: name ?? `${source.name} (copy)`,
      preset,
      ablation,
      overrides: settings,
    })
  }

  /** `req` as the contract's schema parsed it (the door, door.ts); its overrides are checked here, against the run-config schema. */
  async startRun(req: StartRun): Promise<RunSummary> {
    this.refuseIfOwnedElsewhere('Cannot start a run')
    const root = this.resolveDatasetPath(req.datasetPath)
    const draft = configFrom(req.preset, req.ablation, req.overrides ?? {})
    const dataset = await this.load(root, draft)
    const config = configFrom(
      req.preset,
      req.ablation,
      { ...req.overrides, channels: dataset.channels, numClasses: classNamesFor(dataset).length },
      { images: dataset.report.totals.images },
    )
    const datasetName = req.datasetPath === DEMO_DATASET ? 'Fashion-MNIST demo' : basename(root)
    const run = this.deps.runs.create({
      name: req.name ?? `${datasetName} · ${config.preset}${config.ablation === 'sagan' ? '' : ` · ${config.ablation}`}`,
      datasetPath: root,
      datasetName,
      preset: config.preset,
      ablation: config.ablation,
      config,
      targetSteps: config.steps,
      appVersion: APP_VERSION,
    })
    this.deps.runs.setDataset(run.id, dataset.report.fingerprint, dataset.report)
    this.deps.events.emit('runUpdated', run)
    try {
      // Queued, the loaded images are not kept: the dataset is read again (from the cache) at its turn.
      this.startOrQueue(
        run.id,
        async () => this.launch(run.id, config, await this.load(root, config)),
        () => this.launch(run.id, config, dataset),
      )
    } catch (err) {
      // Another process took the folder while the dataset loaded: the new run says why it never started.
      this.deps.events.emit('runUpdated', this.deps.runs.setStatus(run.id, 'failed', { code: 'start-failed', text: (err as Error).message }))
      throw err
    }
    return run
  }

  pause(id: string): RunSummary {
    this.refuseIfTrainedElsewhere(id, 'pause')
    this.live(id).pause()
    return this.deps.runs.get(id)
  }

  stop(id: string): RunSummary {
    const session = this.sessions.get(id)
    const queued = this.queue.findIndex((q) => q.id === id)
    if (session) session.stop()
    else if (queued >= 0) {
      this.queue.splice(queued, 1)[0].started()
      this.deps.events.emit('runUpdated', this.deps.runs.setStatus(id, 'stopped', STOPPED_BY_USER))
      this.releaseIfIdle()
    } else {
      this.refuseIfTrainedElsewhere(id, 'stop')
      const run = this.deps.runs.get(id)
      if (run.status === 'completed' || run.status === 'stopped') return run
      this.deps.events.emit('runUpdated', this.deps.runs.setStatus(id, 'stopped', STOPPED_BY_USER))
    }
    return this.deps.runs.get(id)
  }

  async resume(id: string, extraSteps?: number): Promise<RunSummary> {
    const live = this.sessions.get(id)
    if (live) {
      live.resume()
      return this.deps.runs.get(id)
    }
    const run = this.deps.runs.get(id)
    this.refuseIfOwnedElsewhere(`Cannot resume "${run.name}"`)
    let config = this.deps.runs.config(id)
    if (extraSteps) {
      config = { ...config, steps: Math.max(config.steps, run.step) + extraSteps }
      this.deps.runs.setConfig(id, config, config.steps)
    } else if (run.step >= config.steps) {
      throw new StudioError('conflict', `Run "${run.name}" already reached its ${config.steps} steps; resume with more steps.`, id)
    }
    if (this.queue.some((q) => q.id === id)) return run
    const begin = async () => {
      const checkpoint = this.deps.training.latestCheckpoint(id)
      const dataset = await this.load(run.datasetPath, config)
      if (checkpoint && dataset.report.fingerprint !== this.deps.runs.datasetFingerprint(id)) {
        this.deps.runs.addEvent(id, 'warning', 'The dataset folder changed since this run started; training continues on its current contents.')
      }
      this.launch(id, config, dataset, checkpoint ? { state: checkpoint.state, sampler: checkpoint.sampler } : undefined)
    }
    if (this.sessions.size < this.maxRuns()) await begin()
    else this.startOrQueue(id, begin, () => undefined)
    return this.deps.runs.get(id)
  }

  /**
   * The last generator attention layer's map for one pixel of one gallery
   * sample, from the checkpoint at or before `step` (the sheet's step).
   */
  async attention(id: string, step: number, query: AttentionQuery): Promise<AttentionView> {
    const config = this.deps.runs.config(id)
    if (config.gAttention.length === 0 || config.attentionBlock !== 'attention') {
      throw new StudioError('unsupported', `Run "${this.deps.runs.get(id).name}" has no generator attention layer (${config.ablation}).`, id)
    }
    const checkpoint = this.deps.training.latestCheckpointRef(id, step) ?? this.deps.training.latestCheckpointRef(id)
    if (!checkpoint) throw new StudioError('not-found', 'This run has no checkpoint yet: attention maps are read from saved generators.', id)
    return this.inspect(id, config, checkpoint, (inspector) => inspector.attention(query))
  }

  /** Images of the generator saved at exactly `step` (a kept checkpoint), for exported sheets. */
  async sampleCheckpoint(id: string, step: number, z: Float32Array, labels: Int32Array, weights: 'raw' | 'ema'): Promise<Uint8Array> {
    const checkpoint = this.deps.training.latestCheckpointRef(id, step)
    if (checkpoint?.step !== step) throw new StudioError('not-found', `Run "${this.deps.runs.get(id).name}" keeps no checkpoint at step ${step}.`, 'step')
    return this.inspect(id, this.deps.runs.config(id), checkpoint, (inspector) => inspector.samples(z, labels, weights))
  }

  /**
   * One request at a time per run: a request for another checkpoint replaces
   * the worker, which must not happen while an earlier request waits on it.
   */
  private inspect<T>(id: string, config: RunConfig, checkpoint: CheckpointRef, use: (inspector: RunInspector) => Promise<T>): Promise<T> {
    const previous = this.inspecting.get(id) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(async () => use(await this.inspector(id, config, checkpoint)))
    this.inspecting.set(id, next)
    next.then(
      () => this.inspecting.get(id) === next && this.inspecting.delete(id),
      () => this.inspecting.get(id) === next && this.inspecting.delete(id),
    )
    return next
  }

  /**
   * One inspection worker per run, holding the last checkpoint asked for;
   * another checkpoint is loaded into it. Its state BLOB is read from the
   * store only then, not on every request.
   */
  private async inspector(id: string, config: RunConfig, ref: CheckpointRef): Promise<RunInspector> {
    let held = this.inspectors.get(id)
    if (held?.inspector.checkpoint.id !== ref.id) {
      const checkpoint = this.deps.training.latestCheckpoint(id, ref.step)
      if (checkpoint?.id !== ref.id) throw new StudioError('not-found', `The checkpoint at step ${ref.step} is no longer kept.`, 'step')
      // A worker that cannot load it (crashed, or gone) is replaced.
      if (
        held &&
        !(await held.inspector.load(checkpoint).then(
          () => true,
          () => false,
        ))
      ) {
        void this.dropInspector(id)
        held = undefined
      }
      if (!held) {
        held = { inspector: new RunInspector(config, checkpoint, this.deps.runs.classNames(id)), timer: undefined }
        this.inspectors.set(id, held)
      }
    }
    // An idle inspector gives its memory back after a while.
    clearTimeout(held.timer)
    held.timer = setTimeout(() => void this.dropInspector(id), INSPECTOR_IDLE_MS)
    held.timer.unref()
    return held.inspector
  }

  private dropInspector(id: string): Promise<void> {
    const held = this.inspectors.get(id)
    clearTimeout(held?.timer)
    this.inspectors.delete(id)
    return held?.inspector.dispose() ?? Promise.resolve()
  }

  /** Resolves when the run's worker has ended (completed, stopped or failed). */
  async waitFor(id: string): Promise<string> {
    const queued = this.queue.find((q) => q.id === id) ?? (this.starting?.id === id ? this.starting : undefined)
    if (queued) {
      await queued.whenStarted
      if (!this.sessions.has(id)) return this.deps.runs.get(id).status
    }
    return this.live(id).finished()
  }

  /** Whether this process trains the run (or holds it in its queue). */
  isLocal(id: string): boolean {
    return this.sessions.has(id) || this.starting?.id === id || this.queue.some((q) => q.id === id)
  }

  private maxRuns(): number {
    return this.deps.maxConcurrentRuns ?? 1
  }

  /**
   * Launches now (`now`) when a training slot is free, else queues the run,
   * visibly: it shows as queued, naming what it waits for, and starts by itself.
   */
  private startOrQueue(id: string, begin: () => Promise<void>, now: () => void): void {
    if (this.sessions.size < this.maxRuns()) return now()
    if (this.queue.length >= MAX_QUEUED_RUNS) {
      throw new StudioError('unavailable', `${MAX_QUEUED_RUNS} runs already wait their turn in this data folder; stop one or wait until one starts.`, id)
    }
    // The folder stays this process's while its queue waits.
    this.deps.lease.acquire(`Cannot queue "${this.deps.runs.get(id).name}"`)
    let started!: () => void
    const whenStarted = new Promise<void>((resolve) => (started = resolve))
    this.queue.push({ id, begin, started, whenStarted })
    const training = [...this.sessions.keys()].map((s) => `"${this.deps.runs.get(s).name}"`).join(', ')
    const text = `Queued: one run trains at a time in this data folder (${training} now); it starts by itself when a run ends. \`serve --max-runs N\` trains N at once.`
    this.deps.events.emit('runUpdated', this.deps.runs.setStatus(id, 'created', { code: 'queued', text }))
  }

  /** A training slot came free: the oldest queued run starts. */
  private async startNext(): Promise<void> {
    if (this.starting) return
    while (this.sessions.size < this.maxRuns() && this.queue.length > 0) {
      const next = (this.starting = this.queue.shift()!)
      try {
        await next.begin()
      } catch (err) {
        this.deps.events.emit('runUpdated', this.deps.runs.setStatus(next.id, 'failed', { code: 'start-failed', text: (err as Error).message }))
      } finally {
        this.starting = null
        next.started()
      }
    }
    this.releaseIfIdle()
  }

  private releaseIfIdle(): void {
    if (this.sessions.size === 0 && this.queue.length === 0) this.deps.lease.release()
  }

  /** Whether this process trains the run, or another live process does. */
  isLive(id: string): boolean {
    return this.isLocal(id) || this.deps.runs.get(id).trainedElsewhere !== null
  }

  /** Training here is refused, naming the owner, while another live process trains in this folder. */
  private refuseIfOwnedElsewhere(what: string): void {
    const owner = this.deps.lease.otherOwner()
    if (owner)
      throw new StudioError('conflict', `${what}: ${describeOwner(owner)} trains in this data folder. Use it there, or wait until it finishes.`, 'lease')
  }

  private refuseIfTrainedElsewhere(id: string, action: string): void {
    const run = this.deps.runs.get(id)
    if (run.trainedElsewhere)
      throw new StudioError('conflict', `Run "${run.name}" is training in ${describeOwner(run.trainedElsewhere)}; ${action} it there.`, id)
  }

  /** Stops every live run (each saves a final checkpoint) and waits for them. */
  async shutdown(): Promise<void> {
    const inspectorsGone = [...this.inspectors.keys()].map((id) => this.dropInspector(id))
    // Queued runs never started: the next studio shows them interrupted, resumable.
    for (const q of this.queue.splice(0)) q.started()
    const live = [...this.sessions.values()]
    for (const s of live) s.stop()
    await Promise.all([...live.map((s) => s.finished()), ...inspectorsGone])
  }

  private launch(id: string, config: RunConfig, dataset: LoadedDataset, resume?: { state: Uint8Array; sampler: SamplerState }): void {
    // Taken here, after the slow dataset load, in one transaction with the check: two processes cannot both win.
    this.deps.lease.acquire(`Cannot train "${this.deps.runs.get(id).name}"`)
    const session = new RunSession(id, config, this.deps)
    this.sessions.set(id, session)
    void session.finished().then(() => {
      this.sessions.delete(id)
      void this.startNext()
    })
    session.start(payloadOf(dataset), resume)
  }

  private live(id: string): RunSession {
    const session = this.sessions.get(id)
    if (!session) {
      const run = this.deps.runs.get(id)
      throw new StudioError('conflict', `Run "${run.name}" is not training (it is ${run.status}).`, id)
    }
    return session
  }

  private cacheDir(): string {
    return join(this.deps.dataDir, 'cache')
  }

  private async load(root: string, config: RunConfig): Promise<LoadedDataset> {
    let dataset: LoadedDataset
    try {
      dataset = await loadDataset(
        root,
        { imageSize: config.imageSize, flip: config.flipAugment, classBalanced: config.classBalanced },
        { cacheDir: this.cacheDir() },
      )
    } catch (err) {
      throw new StudioError('invalid-argument', (err as Error).message, root)
    }
    if (!dataset.report.trainable) {
      throw new StudioError(
        'invalid-argument',
        `Nothing in ${root} can be trained on: ${dataset.report.skipped.length} files skipped, no usable images. Run a dataset check for the reasons.`,
        root,
      )
    }
    return dataset
  }
}

function configFrom(preset: RunConfig['preset'], ablation: RunConfig['ablation'], overrides: Record<string, unknown>, dataset?: DatasetFacts): RunConfig {
  try {
    return buildRunConfig(preset, ablation, overrides as Partial<RunConfigInput>, dataset)
  } catch (err) {
    if (err instanceof ZodError) throw new StudioError('invalid-argument', `Run settings: ${z.prettifyError(err)}`, 'overrides')
    throw err
  }
}

/** The engine wants 0 classes (unconditional) or 2+; a single class trains unconditionally. */
function classNamesFor(dataset: LoadedDataset): string[] {
  return dataset.report.conditional && dataset.classNames.length >= 2 ? dataset.classNames : []
}

function payloadOf(dataset: LoadedDataset): DatasetPayload {
  return { images: dataset.images, labels: dataset.labels, classNames: classNamesFor(dataset), imageSize: dataset.imageSize, channels: dataset.channels }
}
