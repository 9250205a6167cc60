// The one door into the main process. Both transports (Electron IPC and the
// browser host's WebSocket) carry exactly StudioCalls and StudioEvents; the CLI
// and scripts make the same calls, plus LocalCalls, in process. Every call is
// validated against its schema before the service sees it: the renderer is
// untrusted code, and one check serves every face.
import { z } from 'zod'
import { RunIdSchema, RunNameSchema, RunNotesSchema, RunQuerySchema, type RunQuery, type RunSummary } from './runs'
import type { BackendReport } from './backend'
import type { DatasetReport, ScanProgress } from './dataset'
import type { MetricValue } from './metrics'
import type { HealthGrid, NearestRealView, SampleHealth } from './sample-health'
import { MAX_STEPS, type RunConfig } from './run-config'
import { SheetOptionsSchema, type CheckpointInfo, type ModelExport, type SheetOptions, type SheetResult } from './export'
import {
  AttentionRequestSchema,
  StartRunSchema,
  type AttentionRequest,
  type AttentionView,
  type LogPoint,
  type RunEstimate,
  type RunProgress,
  type SampleSheet,
  type SigmaPoint,
  type StartRunRequest,
} from './training'

export type { BackendReport, GpuAdapterReport } from './backend'

export interface DiskSpace {
  freeBytes: number
  totalBytes: number
  /** Set when free space is low enough to endanger checkpoint writes. */
  warning: string | null
}

/** One folder as the dataset picker shows it. */
export interface FolderListing {
  path: string
  /** null at the top of a browsable root. */
  parent: string | null
  /** Where browsing may start: the user's home folder and the studio's resources (demo dataset). */
  roots: string[]
  folders: { name: string; path: string }[]
  folderCount: number
  /** Image files directly in this folder. */
  imageCount: number
}

export interface AppInfo {
  version: string
  dataDir: string
  databasePath: string
  /** Which host serves this UI. */
  host: 'electron' | 'browser'
  /** Whether `pickFolder` can open a native dialog. */
  canPickFolder: boolean
  /** Whether `saveSheet` can open a native save dialog (desktop app); the browser downloads instead. */
  canSaveFile: boolean
  backend: BackendReport
  /** Free space on the disk holding the data folder. */
  disk: DiskSpace
  node: string
  platform: string
}

export interface RunDetail extends RunSummary {
  /** Whole: a config stored before a setting existed reads with that setting's default. */
  config: RunConfig
  /** Class names in label order; empty for an unconditional run. */
  classNames: string[]
}

/** Calls from the UI to the main process. */
export interface StudioCalls {
  getAppInfo(): Promise<AppInfo>
  listRuns(query?: RunQuery): Promise<RunSummary[]>
  getRun(id: string): Promise<RunDetail>
  renameRun(id: string, name: string): Promise<RunSummary>
  setRunNotes(id: string, notes: string): Promise<RunSummary>
  deleteRun(id: string): Promise<void>
  /** Native folder dialog; null when cancelled. Electron only. */
  pickFolder(title?: string): Promise<string | null>
  /** Sub-folders of a folder inside the home folder or the studio's resources (the browser host's picker). */
  listFolder(path?: string): Promise<FolderListing>
  /** Scans and validates an image folder ("demo" for the built-in set) at a training size; datasetProgress events follow it. */
  checkDataset(path: string, imageSize?: number): Promise<DatasetReport>
  /** Stops a running check of `path`; the check rejects with code 'cancelled'. */
  cancelDatasetCheck(path: string): Promise<void>
  /** PNG grid of up to 16 images of one class, as the model will see them (after a check of the same folder and size). */
  getDatasetPreview(path: string, classIndex: number, imageSize?: number): Promise<Uint8Array>
  startRun(request: StartRunRequest): Promise<RunSummary>
  /** Memory and time a run with these settings needs on this machine's backend (dataset channels and classes in overrides). */
  estimateRun(request: StartRunRequest): Promise<RunEstimate>
  pauseRun(id: string): Promise<RunSummary>
  /** Continues a paused run, or restarts an interrupted/stopped one from its last checkpoint. */
  resumeRun(id: string, extraSteps?: number): Promise<RunSummary>
  stopRun(id: string): Promise<RunSummary>
  /** Starts a new run on the same dataset with the same settings. */
  cloneRun(id: string, name?: string): Promise<RunSummary>
  getTrainingLog(id: string): Promise<LogPoint[]>
  /** Spectral norm sigma of every SN layer over the run, one point per sample sheet. */
  getSpectralNorms(id: string): Promise<SigmaPoint[]>
  getSampleSteps(id: string, weights: 'raw' | 'ema'): Promise<number[]>
  getSampleSheet(id: string, step: number, weights: 'raw' | 'ema'): Promise<SampleSheet | null>
  /** Where the generator's last attention layer looks from one pixel of one gallery sample. */
  getAttention(id: string, query: AttentionRequest): Promise<AttentionView>
  /** Every stored metric value of a run, each labelled with how it was computed. */
  getMetrics(id: string): Promise<MetricValue[]>
  /** Every evaluation's sample-health report (near-duplicates in the fixed-noise grid, memorisation ratio), oldest first. */
  getSampleHealth(id: string): Promise<SampleHealth[]>
  /** PNG of the fixed-noise grid an evaluation checked; null when that step has no health report. */
  getSampleHealthGrid(id: string, step: number): Promise<HealthGrid | null>
  /** One grid sample's nearest real training images (PNG) with their feature distances; null when not stored. */
  getNearestReal(id: string, step: number, sample: number): Promise<NearestRealView | null>
  /** The run's kept checkpoints, oldest first: what sheets can be drawn from. */
  getCheckpoints(id: string): Promise<CheckpointInfo[]>
  /** Draws a labelled sample sheet (grid, timeline or interpolation) from kept checkpoints. */
  exportSheet(id: string, options: SheetOptions): Promise<SheetResult>
  /** Desktop app: draws the sheet and writes it where the user picks in a native save dialog; null when cancelled. */
  saveSheet(id: string, options: SheetOptions): Promise<{ path: string; width: number; height: number } | null>
  /**
   * Writes the generator of a kept checkpoint (default: best, else newest) as TF.js graph models:
   * into a folder picked in a native dialog (desktop; null when cancelled), else under the data folder's exports/.
   */
  exportModel(id: string, step?: number): Promise<ModelExport | null>
}

/** A checkpoint's FID, KID and (conditional runs) intra-FID against its run's dataset, as stored with the run. */
export interface CheckpointEvaluation {
  step: number
  values: MetricValue[]
  warnings: string[]
  /** How the features were computed, e.g. the dataset classifier's held-out accuracy. */
  extractorDetail: string
}

/**
 * Calls only a face on this machine makes (the CLI, scripts), never a page: they
 * write where the caller names, compute for minutes on the calling thread, or
 * wait as long as a run trains.
 */
export interface LocalCalls {
  /** Writes the generator of a kept checkpoint (default: best, else newest) into `dir`. */
  writeModel(id: string, dir: string, step?: number): Promise<ModelExport>
  /**
   * Samples the newest checkpoint at or before `step` (EMA weights when the run keeps them;
   * `samples` images, default the run's evalSamples) and evaluates them against the run's
   * dataset with its cached extractor. The values are stored with the run.
   */
  evaluateCheckpoint(id: string, options?: { step?: number; samples?: number }): Promise<CheckpointEvaluation>
  /** The run once it no longer trains or waits here (completed, stopped or failed); refused for a run that does neither. */
  waitForRun(id: string): Promise<RunSummary>
}

/** Events pushed from the main process to every connected UI. */
export interface StudioEvents {
  runUpdated(run: RunSummary): void
  runDeleted(id: string): void
  runProgress(progress: RunProgress): void
  checkpointSaved(c: { runId: string; step: number; reason: string; bytes: number }): void
  samplesSaved(s: { runId: string; step: number; weights: 'raw' | 'ema' }): void
  metricComputed(m: { runId: string; step: number; values: MetricValue[]; warnings: string[] }): void
  datasetProgress(p: ScanProgress & { path: string }): void
  spectralNormsLogged(p: SigmaPoint & { runId: string }): void
}

export const EVENT_NAMES = [
  'runUpdated',
  'runDeleted',
  'runProgress',
  'checkpointSaved',
  'samplesSaved',
  'metricComputed',
  'datasetProgress',
  'spectralNormsLogged',
] as const satisfies readonly (keyof StudioEvents)[]

const SampleWeightsSchema = z.enum(['raw', 'ema'])
const DatasetPathSchema = z.string().min(1).max(4096)
const ImageSizeSchema = z.number().int().min(8).max(512)
const StepSchema = z.number().int().min(0).max(MAX_STEPS)

/** Argument tuples of every call, checked before the service sees them. */
export const callSchemas = {
  getAppInfo: z.tuple([]),
  listRuns: z.tuple([RunQuerySchema.optional()]),
  getRun: z.tuple([RunIdSchema]),
  renameRun: z.tuple([RunIdSchema, RunNameSchema]),
  setRunNotes: z.tuple([RunIdSchema, RunNotesSchema]),
  deleteRun: z.tuple([RunIdSchema]),
  pickFolder: z.tuple([z.string().max(200).optional()]),
  listFolder: z.tuple([DatasetPathSchema.optional()]),
  checkDataset: z.tuple([DatasetPathSchema, ImageSizeSchema.optional()]),
  cancelDatasetCheck: z.tuple([DatasetPathSchema]),
  getDatasetPreview: z.tuple([DatasetPathSchema, z.number().int().min(0).max(10_000), ImageSizeSchema.optional()]),
  startRun: z.tuple([StartRunSchema]),
  estimateRun: z.tuple([StartRunSchema]),
  pauseRun: z.tuple([RunIdSchema]),
  resumeRun: z.tuple([RunIdSchema, z.number().int().min(1).max(10_000_000).optional()]),
  stopRun: z.tuple([RunIdSchema]),
  cloneRun: z.tuple([RunIdSchema, RunNameSchema.optional()]),
  getTrainingLog: z.tuple([RunIdSchema]),
  getSpectralNorms: z.tuple([RunIdSchema]),
  getSampleSteps: z.tuple([RunIdSchema, SampleWeightsSchema]),
  getSampleSheet: z.tuple([RunIdSchema, StepSchema, SampleWeightsSchema]),
  getMetrics: z.tuple([RunIdSchema]),
  getAttention: z.tuple([RunIdSchema, AttentionRequestSchema]),
  getSampleHealth: z.tuple([RunIdSchema]),
  getSampleHealthGrid: z.tuple([RunIdSchema, StepSchema]),
  getNearestReal: z.tuple([RunIdSchema, StepSchema, z.number().int().min(0).max(10_000)]),
  getCheckpoints: z.tuple([RunIdSchema]),
  exportSheet: z.tuple([RunIdSchema, SheetOptionsSchema]),
  saveSheet: z.tuple([RunIdSchema, SheetOptionsSchema]),
  exportModel: z.tuple([RunIdSchema, StepSchema.optional()]),
} satisfies { [K in keyof StudioCalls]: z.ZodType }

export const localCallSchemas = {
  writeModel: z.tuple([RunIdSchema, z.string().min(1).max(4096), StepSchema.optional()]),
  evaluateCheckpoint: z.tuple([
    RunIdSchema,
    z
      .object({ step: StepSchema.optional(), samples: z.number().int().min(1).max(50_000).optional() })
      .strict()
      .optional(),
  ]),
  waitForRun: z.tuple([RunIdSchema]),
} satisfies { [K in keyof LocalCalls]: z.ZodType }

export type CallName = keyof StudioCalls
export const CALL_NAMES = Object.keys(callSchemas) as CallName[]
export type LocalCallName = keyof LocalCalls
export const LOCAL_CALL_NAMES = Object.keys(localCallSchemas) as LocalCallName[]

type Checked<Calls, Schemas extends { [K in keyof Calls]: z.ZodType }> = {
  [K in keyof Calls]: Calls[K] extends (...args: never[]) => infer R ? (...args: Extract<z.output<Schemas[K]>, unknown[]>) => R : never
}
/** What the service implements: every call with its arguments as their schemas give them (defaults filled in). */
export type CheckedCalls = Checked<StudioCalls, typeof callSchemas>
export type CheckedLocalCalls = Checked<LocalCalls, typeof localCallSchemas>
