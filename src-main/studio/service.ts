// The studio service: what the UI and the CLI can ask of the main process.
// Every call reaches it through the door (door.ts), its arguments already
// parsed. It knows no transport (see expose.ts) and no window system
// (pickFolder and saveFile are injected by the Electron shell).
import { writeFile } from 'node:fs/promises'
import { platform } from 'node:os'
import { isAbsolute, join } from 'node:path'
import type {
  AppInfo,
  BackendReport,
  CheckedCalls,
  CheckedLocalCalls,
  CheckpointEvaluation,
  FolderListing,
  RunDetail,
  StudioEvents,
} from '../../src-shared/contract'
import { StudioError } from '../../src-shared/errors'
import { EventHub } from '../../src-shared/event-hub'
import type { RunQuery, RunSummary } from '../../src-shared/runs'
import { APP_VERSION } from '../../src-shared/version'
import type { DatasetReport } from '../../src-shared/dataset'
import type { MetricValue } from '../../src-shared/metrics'
import type { HealthGrid, NearestRealView, SampleHealth } from '../../src-shared/sample-health'
import {
  DEMO_DATASET,
  type AttentionRequest,
  type AttentionView,
  type LogPoint,
  type RunEstimate,
  type SampleSheet,
  type SigmaPoint,
  type StartRun,
} from '../../src-shared/training'
import {
  defaultCheckpointStep,
  fileSlug,
  formatOfFileName,
  notKeptMessage,
  type CheckpointInfo,
  type ModelExport,
  type ResolvedSheetOptions,
  type SheetResult,
} from '../../src-shared/export'
import { GRID_GAP, gridCell } from '../export/sample-grid'
import { composeSheet } from '../export/sheet/compose'
import { writeGeneratorInWorker } from './generator-export'
import { diskSpace } from './disk-space'
import { confinedPath, listFolder } from './folder-browser'
import type { RunStore } from '../store/run-store'
import type { TrainingStore } from '../store/training-store'
import type { TrainingManager } from './training/training-manager'

export interface StudioDeps {
  runs: RunStore
  training: TrainingStore
  trainer: TrainingManager
  events: EventHub<StudioEvents>
  dataDir: string
  databasePath: string
  host: AppInfo['host']
  /** Which tfjs backend training would use; probed once, lazily. */
  probeBackend: () => Promise<BackendReport>
  /**
   * The browser host's folder-browser roots. When set, every call that takes a
   * path (listFolder, checkDataset, getDatasetPreview, startRun) stays inside them.
   */
  folderRoots?: string[]
  pickFolder?: (title: string) => Promise<string | null>
  saveFile?: (defaultName: string) => Promise<string | null>
}

export class StudioService implements CheckedCalls, CheckedLocalCalls {
  readonly events: EventHub<StudioEvents>
  private backend?: Promise<BackendReport>

  constructor(private readonly deps: StudioDeps) {
    this.events = deps.events
  }

  /** Waits for a backend probe in flight: a worker torn down inside Dawn's start-up aborts the whole process. */
  async settle(): Promise<void> {
    await this.backend?.catch(() => undefined)
  }

  async getAppInfo(): Promise<AppInfo> {
    this.backend ??= this.deps.probeBackend()
    return {
      version: APP_VERSION,
      dataDir: this.deps.dataDir,
      databasePath: this.deps.databasePath,
      host: this.deps.host,
      canPickFolder: this.deps.pickFolder !== undefined,
      canSaveFile: this.deps.saveFile !== undefined,
      backend: await this.backend,
      disk: diskSpace(this.deps.dataDir),
      node: process.versions.node,
      platform: platform(),
    }
  }

  async listRuns(query?: RunQuery): Promise<RunSummary[]> {
    return this.deps.runs.list(query)
  }

  async getRun(id: string): Promise<RunDetail> {
    return { ...this.deps.runs.get(id), config: this.deps.runs.config(id), classNames: this.deps.runs.classNames(id) }
  }

  async renameRun(id: string, name: string): Promise<RunSummary> {
    return this.publish(this.deps.runs.rename(id, name))
  }

  async setRunNotes(id: string, notes: string): Promise<RunSummary> {
    return this.publish(this.deps.runs.setNotes(id, notes))
  }

  async deleteRun(id: string): Promise<void> {
    const run = this.deps.runs.get(id)
    if (this.deps.trainer.isLive(id)) {
      throw new StudioError('conflict', `Run "${run.name}" is ${run.status}. Stop it before deleting it.`, id)
    }
    this.deps.runs.delete(id)
    this.events.emit('runDeleted', id)
  }

  async pickFolder(title = 'Choose an image folder'): Promise<string | null> {
    if (!this.deps.pickFolder) {
      throw new StudioError('unsupported', 'Native folder dialogs exist only in the desktop app; in the browser, type or browse to the folder instead.')
    }
    return this.deps.pickFolder(title)
  }

  async listFolder(path?: string): Promise<FolderListing> {
    return listFolder(path, this.deps.folderRoots)
  }

  async checkDataset(path: string, imageSize?: number): Promise<DatasetReport> {
    return this.deps.trainer.checkDataset(this.confined(path, 'path'), imageSize)
  }

  async cancelDatasetCheck(path: string): Promise<void> {
    this.deps.trainer.cancelCheck(path)
  }

  async getDatasetPreview(path: string, classIndex: number, imageSize?: number): Promise<Uint8Array> {
    return this.deps.trainer.preview(this.confined(path, 'path'), classIndex, imageSize)
  }

  async startRun(request: StartRun): Promise<RunSummary> {
    return this.deps.trainer.startRun({ ...request, datasetPath: this.confined(request.datasetPath, 'datasetPath') })
  }

  async estimateRun(request: StartRun): Promise<RunEstimate> {
    this.backend ??= this.deps.probeBackend()
    return this.deps.trainer.estimate(request, await this.backend)
  }

  async pauseRun(id: string): Promise<RunSummary> {
    return this.deps.trainer.pause(id)
  }

  async resumeRun(id: string, extraSteps?: number): Promise<RunSummary> {
    return this.deps.trainer.resume(id, extraSteps)
  }

  async stopRun(id: string): Promise<RunSummary> {
    return this.deps.trainer.stop(id)
  }

  async cloneRun(id: string, name?: string): Promise<RunSummary> {
    return this.deps.trainer.clone(id, name)
  }

  async getTrainingLog(id: string): Promise<LogPoint[]> {
    this.deps.runs.get(id)
    return this.deps.training.log(id)
  }

  async getSpectralNorms(id: string): Promise<SigmaPoint[]> {
    this.deps.runs.get(id)
    return this.deps.training.sigmas(id)
  }

  async getSampleSteps(id: string, weights: 'raw' | 'ema'): Promise<number[]> {
    this.deps.runs.get(id)
    return this.deps.training.sampleSteps(id, weights)
  }

  async getSampleSheet(id: string, step: number, weights: 'raw' | 'ema'): Promise<SampleSheet | null> {
    const { imageSize } = this.deps.runs.config(id)
    const png = this.deps.training.samplePng(id, step, weights)
    if (!png) return null
    const classNames = this.deps.runs.classNames(id)
    return { step, weights, png, perClass: this.deps.training.samplePerClass(id, step, weights), classNames, cell: gridCell(imageSize), gap: GRID_GAP }
  }

  async getAttention(id: string, query: AttentionRequest): Promise<AttentionView> {
    const { step, ...rest } = query
    return this.deps.trainer.attention(id, step, rest)
  }

  async getMetrics(id: string): Promise<MetricValue[]> {
    this.deps.runs.get(id)
    return this.deps.training.metrics(id)
  }

  async getSampleHealth(id: string): Promise<SampleHealth[]> {
    this.deps.runs.get(id)
    return this.deps.training.health.reports(id)
  }

  async getSampleHealthGrid(id: string, step: number): Promise<HealthGrid | null> {
    const { imageSize } = this.deps.runs.config(id)
    const png = this.deps.training.health.gridPng(id, step)
    const report = this.deps.training.health.reports(id).find((r) => r.step === step)
    if (!png || !report) return null
    return { step, png, cell: gridCell(imageSize), gap: GRID_GAP, columns: report.grid.columns, count: report.grid.count }
  }

  async getNearestReal(id: string, step: number, sample: number): Promise<NearestRealView | null> {
    this.deps.runs.get(id)
    return this.deps.training.health.nearest(id, step, sample) ?? null
  }

  async getCheckpoints(id: string): Promise<CheckpointInfo[]> {
    this.deps.runs.get(id)
    return this.deps.training.checkpointSteps(id)
  }

  async exportSheet(id: string, options: ResolvedSheetOptions): Promise<SheetResult> {
    const run = this.deps.runs.get(id)
    const config = this.deps.runs.config(id)
    const sheetRun = {
      id,
      name: run.name,
      settings: `${run.datasetName}, ${config.imageSize} px · ${config.preset} / ${config.ablation}`,
      config,
      classNames: this.deps.runs.classNames(id),
      checkpoints: this.deps.training.checkpointSteps(id),
      metrics: this.deps.training.metrics(id),
    }
    return composeSheet(sheetRun, options, (step, z, labels, weights) => this.deps.trainer.sampleCheckpoint(id, step, z, labels, weights))
  }

  async saveSheet(id: string, options: ResolvedSheetOptions): Promise<{ path: string; width: number; height: number } | null> {
    if (!this.deps.saveFile)
      throw new StudioError('unsupported', 'Native save dialogs exist only in the desktop app; in the browser the sheet is downloaded instead.')
    // Drawn before asking where, so a bad option is reported without a dialog.
    const sheet = await this.exportSheet(id, options)
    const path = await this.deps.saveFile(sheet.fileName)
    if (!path) return null
    // The user may have changed the extension in the dialog: write what the name says.
    const format = formatOfFileName(path) ?? sheet.format
    const saved = format === sheet.format ? sheet : await this.exportSheet(id, { ...options, format })
    await writeFile(path, saved.bytes)
    return { path, width: saved.width, height: saved.height }
  }

  async exportModel(id: string, step?: number): Promise<ModelExport | null> {
    // Checked before the dialog: no folder is asked for when nothing can be exported.
    const at = this.keptStep(id, step)
    const parent = this.deps.pickFolder ? await this.deps.pickFolder('Choose a folder for the exported generator') : join(this.deps.dataDir, 'exports')
    if (!parent) return null
    return this.writeModel(id, join(parent, `${fileSlug(this.deps.runs.get(id).name)}-step${at}-generator`), at)
  }

  async writeModel(id: string, dir: string, step?: number): Promise<ModelExport> {
    const run = this.deps.runs.get(id)
    const config = this.deps.runs.config(id)
    const at = this.keptStep(id, step)
    const checkpoint = this.deps.training.latestCheckpoint(id, at)!
    const input = { config, state: checkpoint.state, classNames: this.deps.runs.classNames(id), runName: run.name, step: at }
    const files = await writeGeneratorInWorker({ dir, input, backend: config.backend })
    return { dir, step: at, files }
  }

  /** `step` if it is a kept checkpoint, or the default one (best by intra-FID, or FID when unconditional; else newest). */
  private keptStep(id: string, step: number | undefined): number {
    const kept = this.deps.training.checkpointSteps(id)
    const at = step ?? defaultCheckpointStep(kept)
    if (at === undefined)
      throw new StudioError('not-found', `Run "${this.deps.runs.get(id).name}" has no checkpoint yet: the generator is exported from saved weights.`, id)
    if (!kept.some((c) => c.step === at))
      throw new StudioError(
        'invalid-argument',
        notKeptMessage(
          [at],
          kept.map((c) => c.step),
        ),
        'step',
      )
    return at
  }

  /** A path the UI gave, refused when it lies outside the folder browser's roots (browser host only). */
  private confined(path: string, field: string): string {
    const roots = this.deps.folderRoots
    if (!roots || path === DEMO_DATASET) return path
    if (!isAbsolute(path)) throw new StudioError('invalid-argument', `The dataset path must be absolute: ${path}`, field)
    return confinedPath(path, roots, field)
  }

  async evaluateCheckpoint(id: string, options: { step?: number; samples?: number } = {}): Promise<CheckpointEvaluation> {
    // Loaded on first use: the engine and TensorFlow.js stay out of the main process, which
    // otherwise only trains in workers (and Playwright's loader cannot import tfjs-core's ESM).
    const { evaluateCheckpoint } = await import('./checkpoint-evaluation')
    const evaluation = await evaluateCheckpoint(this.deps, id, options)
    // The run's best score may have changed.
    this.publish(this.deps.runs.get(id))
    return evaluation
  }

  async waitForRun(id: string): Promise<RunSummary> {
    await this.deps.trainer.waitFor(id)
    return this.deps.runs.get(id)
  }

  /** Store writes made outside the service (tests, other processes) reach the UI through this. */
  publish(run: RunSummary): RunSummary {
    this.events.emit('runUpdated', run)
    return run
  }
}
