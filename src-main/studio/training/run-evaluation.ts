// Evaluation of one run while it trains: every `evalEvery` steps, ask the
// training worker for `evalSamples` images from fresh latents, plus the
// fixed-noise grid (the gallery's latents) for the sample-health checks, and
// hand them to the run's evaluation worker (its own thread), which answers with
// labelled metric values and a health report. Training and progress events
// never wait for it.
import type { Worker } from 'node:worker_threads'
import type { StudioEvents } from '../../../src-shared/contract'
import type { EventHub } from '../../../src-shared/event-hub'
import type { RunConfig } from '../../../src-shared/run-config'
import type { DatasetPayload, Samples } from '../../engine/worker/training-contract'
import { datasetClassifierCacheKey, realReferenceCacheKey } from '../../metrics/cache-keys'
import { seededNormal } from '../../random'
import type { EvaluationCalls, Evaluated, HealthMessage, Prepared } from '../../metrics/worker/evaluation-contract'
import type { RunStore } from '../../store/run-store'
import type { TrainingStore } from '../../store/training-store'
import { spawnBundledWorker } from '../../workers/bundled-worker'
import { connectWorker, type Rpc } from '../../workers/rpc'
import { stopWorker } from '../../workers/worker-stop'
import { fixedLatents, sheetColumns, sheetPerClass } from '../../engine/fixed-latents'
import { encodeGrid } from '../../export/sample-grid'

/** Where a dataset's extractor and real-image statistics are cached. */
export function extractorCacheKeys(fingerprint: string, imageSize: number): { classifier: string; reference: string } {
  return {
    classifier: datasetClassifierCacheKey(fingerprint, imageSize),
    reference: realReferenceCacheKey(fingerprint, 'dataset-classifier', imageSize),
  }
}

/** Fresh but reproducible latents for the evaluation at `step`; labels cycle over the classes. */
export function evaluationLatents(config: RunConfig, step: number, n = config.evalSamples): { z: Float32Array; labels: Int32Array } {
  const normal = seededNormal(config.seed * 7919 + step)
  const classes = Math.max(1, config.numClasses)
  return { z: Float32Array.from({ length: n * config.zDim }, normal), labels: Int32Array.from({ length: n }, (_, i) => i % classes) }
}

interface EvaluationDeps {
  runs: RunStore
  training: TrainingStore
  events: EventHub<StudioEvents>
  /** Asks the training worker for images of these latents and labels. */
  sample: (z: Float32Array, labels: Int32Array) => Promise<Samples>
}

export class RunEvaluation {
  private readonly worker: Worker
  private readonly rpc: Rpc<EvaluationCalls>
  private prepared = false
  /** idle, waiting for the training worker's images, or waiting for the metrics. */
  private phase: 'idle' | 'sampling' | 'evaluating' = 'idle'
  private settle: (() => void) | null = null
  private nextStep: number
  private readonly keys: { classifier: string; reference: string }
  /** The fixed-noise grid is requested after the evaluation's own latents. */
  private readonly grid: { z: Float32Array; labels: Int32Array; columns: number }
  /** PNG of the grid of the evaluation in flight. */
  private gridPng: Promise<Uint8Array> | null = null
  private readonly weights: 'raw' | 'ema'
  private readonly imageSize: number
  private readonly channels: 1 | 3
  private closed = false

  constructor(
    private readonly runId: string,
    private readonly config: RunConfig,
    private readonly deps: EvaluationDeps,
    dataset: DatasetPayload,
    startStep: number,
  ) {
    this.nextStep = (Math.floor(startStep / config.evalEvery) + 1) * config.evalEvery
    this.keys = extractorCacheKeys(deps.runs.datasetFingerprint(runId) ?? runId, dataset.imageSize)
    this.grid = { ...fixedLatents(config, sheetPerClass(config.numClasses), config.seed), columns: sheetColumns(config.numClasses) }
    this.weights = config.ema.enabled ? 'ema' : 'raw'
    this.imageSize = dataset.imageSize
    this.channels = dataset.channels
    this.worker = spawnBundledWorker('evaluation-worker')
    this.rpc = connectWorker<EvaluationCalls>(this.worker, 'evaluation worker')
    this.rpc
      .prepare({
        backend: config.backend,
        real: {
          images: dataset.images,
          labels: dataset.labels,
          numClasses: dataset.classNames.length,
          imageSize: dataset.imageSize,
          channels: dataset.channels,
        },
        cached: { classifier: deps.training.cached(this.keys.classifier), reference: deps.training.cached(this.keys.reference) },
      })
      .then(
        (prepared) => this.onPrepared(prepared),
        (err: unknown) => {
          this.report(`Evaluation failed: ${messageOf(err)}`)
          this.idle()
        },
      )
      .catch((err: unknown) => this.report(`Storing the evaluation failed: ${messageOf(err)}`))
  }

  /** Called on every progress report; starts an evaluation when one is due and none is running. */
  onStep(step: number): void {
    if (!this.prepared || this.phase !== 'idle' || step < this.nextStep) return
    this.phase = 'sampling'
    this.nextStep = (Math.floor(step / this.config.evalEvery) + 1) * this.config.evalEvery
    const { z, labels } = evaluationLatents(this.config, step)
    const zAll = new Float32Array(z.length + this.grid.z.length)
    zAll.set(z)
    zAll.set(this.grid.z, z.length)
    const labelsAll = new Int32Array(labels.length + this.grid.labels.length)
    labelsAll.set(labels)
    labelsAll.set(this.grid.labels, labels.length)
    this.deps.sample(zAll, labelsAll).then(
      (samples) => {
        if (this.phase === 'sampling') this.evaluate(samples) // else closed meanwhile
      },
      () => this.cancelSampling(), // the training worker could not answer (the run ended first): nothing to evaluate
    )
  }

  /** Hands the images of an evaluation to the evaluation worker and stores what it answers. */
  private evaluate({ step, images, labels }: Samples): void {
    this.phase = 'evaluating'
    // images: [evalSamples + grid, S, S, C]; the grid's part is copied for its PNG.
    const n = labels.length - this.grid.labels.length
    const per = this.imageSize * this.imageSize * this.channels
    const gridImages = images.slice(n * per)
    this.gridPng = encodeGrid({ images: gridImages, count: this.grid.labels.length, size: this.imageSize, channels: this.channels, columns: this.grid.columns })
    this.rpc
      .evaluate({
        step,
        images: images.subarray(0, n * per),
        labels: labels.subarray(0, n),
        grid: { images: gridImages, labels: this.grid.labels, columns: this.grid.columns, weights: this.weights },
      })
      .then(
        (evaluated) => this.store(evaluated),
        (err: unknown) => this.report(`Evaluation at step ${step} failed: ${messageOf(err)}`),
      )
      .catch((err: unknown) => this.report(`Storing the evaluation failed: ${messageOf(err)}`))
      .finally(() => this.idle())
  }

  /** The training worker could not answer (the run ended first): nothing to evaluate. */
  private cancelSampling(): void {
    if (this.phase === 'sampling') this.idle()
  }

  /**
   * Lets an evaluation already computing finish, and a preparation finish so
   * its extractor is cached for the next run (at most `timeoutMs`), then ends the worker.
   */
  async close(timeoutMs = 120_000): Promise<void> {
    this.cancelSampling()
    if (this.phase === 'evaluating' || !this.prepared) {
      await new Promise<void>((resolve) => {
        this.settle = resolve
        setTimeout(resolve, timeoutMs).unref()
      })
    }
    this.closed = true // what the ended worker leaves unanswered is no error of the run
    await stopWorker(this.worker)
  }

  /** The grid and every neighbour as PNG, stored before the metrics are announced. */
  private async saveHealth(h: HealthMessage): Promise<void> {
    const gridPng = await this.gridPng!
    const per = this.imageSize * this.imageSize * this.channels
    const flat = h.nearest.flatMap((s) => s.neighbours.map((n) => ({ sample: s.sample, ...n })))
    const pngs = await Promise.all(
      flat.map((_, i) =>
        encodeGrid({ images: h.neighbourImages.subarray(i * per, (i + 1) * per), count: 1, size: this.imageSize, channels: this.channels, columns: 1 }),
      ),
    )
    this.deps.training.health.save(
      this.runId,
      h.report,
      gridPng,
      flat.map((n, i) => ({ ...n, png: pngs[i] })),
    )
    if (h.report.duplicates.warning) this.deps.runs.addEvent(this.runId, 'warning', `Step ${h.report.step}: ${h.report.duplicates.warning}`)
  }

  private report(error: string): void {
    if (!this.closed) this.deps.runs.addEvent(this.runId, 'error', error)
  }

  private idle(): void {
    this.phase = 'idle'
    this.settle?.()
    this.settle = null
  }

  private onPrepared(m: Prepared): void {
    this.prepared = true
    this.settle?.()
    const { runs, training } = this.deps
    if (m.built.classifier) training.cache(this.keys.classifier, m.built.classifier)
    if (m.built.reference) training.cache(this.keys.reference, m.built.reference)
    runs.addEvent(this.runId, 'info', `Evaluation ready in ${m.seconds.toFixed(1)} s: ${m.extractorDetail}`)
  }

  private async store(m: Evaluated): Promise<void> {
    const { runs, training, events } = this.deps
    if (m.health) await this.saveHealth(m.health)
    training.saveMetrics(this.runId, m.values)
    events.emit('metricComputed', { runId: this.runId, step: m.step, values: m.values, warnings: m.warnings })
    events.emit('runUpdated', runs.get(this.runId))
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
