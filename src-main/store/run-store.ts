import { randomBytes } from 'node:crypto'
import {
  RunQuerySchema,
  type RunQuery,
  type RunStatus,
  type RunStatusCode,
  type RunSummary,
  type StatusReason,
  type TrainingOwner,
} from '../../src-shared/runs'
import type { DatasetReport } from '../../src-shared/dataset'
import type { BestScore } from '../../src-shared/metrics'
import { StudioError } from '../../src-shared/errors'
import { RunConfigSchema, type RunConfig, type RunConfigInput } from '../../src-shared/run-config'
import { releaseFreePages, type Db } from './database'
import { parseStoredConfig } from './stored-config'

interface RunRow {
  id: string
  name: string
  status: RunStatus
  status_reason: string | null
  status_code: RunStatusCode | null
  dataset_path: string
  dataset_name: string
  preset: string
  ablation: string
  config_json: string
  backend: string | null
  notes: string
  step: number
  target_steps: number
  best_metric: BestScore['metric'] | null
  best_value: number | null
  best_step: number | null
  best_extractor: BestScore['extractor'] | null
  duration_ms: number
  created_at: number
  updated_at: number
  disk_bytes: number
}

export interface NewRun {
  name: string
  datasetPath: string
  datasetName: string
  preset: string
  ablation: string
  /** Stored whole: the fields it leaves out get their defaults. */
  config: RunConfigInput
  targetSteps: number
  appVersion: string
}

// Checkpoint, sample and sample-health bytes per run; every table is indexed by run_id first.
const SELECT_RUN = `SELECT runs.*,
  COALESCE((SELECT SUM(bytes) FROM checkpoints c WHERE c.run_id = runs.id), 0) +
  COALESCE((SELECT SUM(LENGTH(png)) FROM samples s WHERE s.run_id = runs.id), 0) +
  COALESCE((SELECT SUM(LENGTH(grid_png)) FROM sample_health h WHERE h.run_id = runs.id), 0) +
  COALESCE((SELECT SUM(LENGTH(png)) FROM nearest_real n WHERE n.run_id = runs.id), 0) AS disk_bytes
  FROM runs`

// Sort keys of the contract mapped to columns; never interpolate user text.
const SORT_COLUMNS: Record<NonNullable<RunQuery['sort']>, string> = {
  name: 'name COLLATE NOCASE',
  dataset: 'dataset_name COLLATE NOCASE',
  status: 'status',
  step: 'step',
  best: 'best_value',
  createdAt: 'created_at',
  duration: 'duration_ms',
}

function toSummary(r: RunRow, elsewhere: TrainingOwner | null): RunSummary {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    statusReason: r.status_reason,
    statusCode: r.status_code,
    datasetPath: r.dataset_path,
    datasetName: r.dataset_name,
    preset: r.preset,
    ablation: r.ablation,
    step: r.step,
    targetSteps: r.target_steps,
    // The four best_* columns are written together (TrainingStore.saveMetrics).
    best: r.best_value === null ? null : { metric: r.best_metric!, value: r.best_value, step: r.best_step!, extractor: r.best_extractor! },
    durationMs: r.duration_ms,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    notes: r.notes,
    backend: r.backend,
    diskBytes: r.disk_bytes,
    trainedElsewhere: r.status === 'running' ? elsewhere : null,
  }
}

export interface RunStoreOptions {
  /** The live process other than this one that trains in the folder (see TrainingLease). */
  otherOwner?: () => TrainingOwner | null
}

/** Runs table access: one place that knows its columns. */
export class RunStore {
  constructor(
    private readonly db: Db,
    private readonly options: RunStoreOptions = {},
  ) {}

  create(input: NewRun, now = Date.now()): RunSummary {
    const id = randomBytes(6).toString('hex')
    this.db
      .prepare(
        `INSERT INTO runs (id, name, status, dataset_path, dataset_name, preset, ablation, config_json,
                           app_version, target_steps, created_at, updated_at)
         VALUES (@id, @name, 'created', @datasetPath, @datasetName, @preset, @ablation, @config,
                 @appVersion, @targetSteps, @now, @now)`,
      )
      .run({ ...input, id, config: JSON.stringify(RunConfigSchema.parse(input.config)), now })
    return this.get(id)
  }

  get(id: string): RunSummary {
    const row = this.row(id)
    return toSummary(row, row.status === 'running' ? this.otherOwner() : null)
  }

  config(id: string): RunConfig {
    return parseStoredConfig(id, this.row(id).config_json)
  }

  list(query: RunQuery = {}): RunSummary[] {
    const q = RunQuerySchema.parse(query)
    const where: string[] = []
    const params: Record<string, unknown> = { limit: q.limit }
    if (q.search) {
      where.push(`(name LIKE @search ESCAPE '\\' OR dataset_name LIKE @search ESCAPE '\\' OR notes LIKE @search ESCAPE '\\')`)
      params.search = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    }
    if (q.status?.length) {
      where.push(`status IN (${q.status.map((_, i) => `@s${i}`).join(', ')})`)
      q.status.forEach((s, i) => (params[`s${i}`] = s))
    }
    // Runs without an evaluation sort last whatever the order: they are not "best".
    const nulls = q.sort === 'best' ? 'best_value IS NULL, ' : ''
    const sql = `${SELECT_RUN} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY ${nulls}${SORT_COLUMNS[q.sort]} ${q.order === 'asc' ? 'ASC' : 'DESC'}, id
                 LIMIT @limit`
    const rows = this.db.prepare(sql).all(params) as RunRow[]
    const owner = rows.some((r) => r.status === 'running') ? this.otherOwner() : null
    return rows.map((r) => toSummary(r, owner))
  }

  rename(id: string, name: string): RunSummary {
    return this.update(id, 'name = @value', name)
  }

  setNotes(id: string, notes: string): RunSummary {
    return this.update(id, 'notes = @value', notes)
  }

  setStatus(id: string, status: RunStatus, reason: StatusReason | null = null): RunSummary {
    this.row(id)
    this.db
      .prepare('UPDATE runs SET status = @status, status_reason = @text, status_code = @code, updated_at = @now WHERE id = @id')
      .run({ id, status, text: reason?.text ?? null, code: reason?.code ?? null, now: Date.now() })
    return this.get(id)
  }

  setDataset(id: string, fingerprint: string, report: unknown): void {
    this.db.prepare('UPDATE runs SET dataset_fingerprint = ?, dataset_report_json = ? WHERE id = ?').run(fingerprint, JSON.stringify(report), id)
  }

  datasetReport(id: string): DatasetReport | null {
    const json = this.db.prepare('SELECT dataset_report_json FROM runs WHERE id = ?').pluck().get(id) as string | null
    return json ? (JSON.parse(json) as DatasetReport) : null
  }

  /** Class names in label order; empty for an unconditional run. */
  classNames(id: string): string[] {
    return this.config(id).numClasses > 0 ? (this.datasetReport(id)?.classes.map((c) => c.name) ?? []) : []
  }

  datasetFingerprint(id: string): string | null {
    return this.db.prepare('SELECT dataset_fingerprint FROM runs WHERE id = ?').pluck().get(id) as string | null
  }

  setConfig(id: string, config: RunConfig, targetSteps: number): void {
    this.db.prepare('UPDATE runs SET config_json = ?, target_steps = ? WHERE id = ?').run(JSON.stringify(config), targetSteps, id)
  }

  /** Training bookkeeping; emits nothing (the caller decides what the UI hears). */
  updateProgress(id: string, p: { step?: number; durationMs?: number; backend?: string }): void {
    this.db
      .prepare(
        `UPDATE runs SET step = COALESCE(@step, step), duration_ms = COALESCE(@durationMs, duration_ms),
                backend = COALESCE(@backend, backend), updated_at = @now
         WHERE id = @id`,
      )
      .run({ id, step: p.step ?? null, durationMs: p.durationMs ?? null, backend: p.backend ?? null, now: Date.now() })
  }

  addEvent(id: string, level: 'info' | 'warning' | 'error', message: string): void {
    this.db.prepare('INSERT INTO run_events (run_id, at, level, message) VALUES (?, ?, ?, ?)').run(id, Date.now(), level, message)
  }

  /** Runs left 'running' (or queued) by a process that is gone become 'interrupted' (see TrainingLease.reap). */
  markInterrupted(reason: string): string[] {
    const orphaned = "status = 'running' OR (status = 'created' AND status_code = 'queued')"
    const ids = this.db.prepare(`SELECT id FROM runs WHERE ${orphaned}`).pluck().all() as string[]
    this.db
      .prepare(`UPDATE runs SET status = 'interrupted', status_reason = @reason, status_code = 'studio-closed', updated_at = @now WHERE ${orphaned}`)
      .run({ reason, now: Date.now() })
    return ids
  }

  /** Runs changed at or after `since` (ms), for watching another process's writes. */
  changedSince(since: number): RunSummary[] {
    const rows = this.db.prepare(`${SELECT_RUN} WHERE updated_at >= ?`).all(since) as RunRow[]
    const owner = rows.some((r) => r.status === 'running') ? this.otherOwner() : null
    return rows.map((r) => toSummary(r, owner))
  }

  private otherOwner(): TrainingOwner | null {
    return this.options.otherOwner?.() ?? null
  }

  /** Deletes the run and, through foreign keys, everything that belongs to it. */
  delete(id: string): void {
    const { changes } = this.db.prepare('DELETE FROM runs WHERE id = ?').run(id)
    if (changes === 0) throw notFound(id)
    releaseFreePages(this.db)
  }

  private update(id: string, assignment: string, value: unknown): RunSummary {
    const { changes } = this.db.prepare(`UPDATE runs SET ${assignment}, updated_at = @now WHERE id = @id`).run({ id, value, now: Date.now() })
    if (changes === 0) throw notFound(id)
    return this.get(id)
  }

  private row(id: string): RunRow {
    const row = this.db.prepare(`${SELECT_RUN} WHERE id = ?`).get(id) as RunRow | undefined
    if (!row) throw notFound(id)
    return row
  }
}

function notFound(id: string): StudioError {
  return new StudioError('not-found', `No run with id ${id}. It may have been deleted.`, id)
}
