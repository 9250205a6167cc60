// What a training run writes while it trains: checkpoints (whole or absent),
// sample sheets, the loss log and its fixed latents. One place knows these tables.
import { selectionMetric, type MetricValue, type SelectionMetric, type SelectionScore } from '../../src-shared/metrics'
import type { LogPoint, SigmaPoint } from '../../src-shared/training'
import type { SamplerState } from '../data/sampler'
import { releaseFreePages, type Db } from './database'
import { HealthStore } from './health-store'

export interface CheckpointInput {
  step: number
  reason: string
  state: Uint8Array
  sampler: SamplerState
}

export interface StoredCheckpoint {
  id: number
  step: number
  reason: string
  state: Uint8Array
  sampler: SamplerState
  bytes: number
  createdAt: number
}

export class TrainingStore {
  /** Sample-health reports and nearest real images per evaluation. */
  readonly health: HealthStore

  constructor(private readonly db: Db) {
    this.health = new HealthStore(db)
  }

  /**
   * Writes a checkpoint and the run's step in ONE transaction, then prunes to
   * the last `keepLast` plus the best by the run's selection metric (intra-FID when conditional,
   * FID otherwise). A crash leaves the old or the new.
   */
  saveCheckpoint(runId: string, c: CheckpointInput, keepLast: number, durationMs: number): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO checkpoints (run_id, step, reason, state, sampler_json, bytes, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, step) DO UPDATE SET reason = excluded.reason, state = excluded.state,
             sampler_json = excluded.sampler_json, bytes = excluded.bytes, created_at = excluded.created_at`,
        )
        .run(
          runId,
          c.step,
          c.reason,
          Buffer.from(c.state.buffer, c.state.byteOffset, c.state.byteLength),
          JSON.stringify(c.sampler),
          c.state.byteLength,
          Date.now(),
        )
      this.db.prepare('UPDATE runs SET step = ?, duration_ms = ?, updated_at = ? WHERE id = ?').run(c.step, durationMs, Date.now(), runId)
      this.db
        .prepare(
          `DELETE FROM checkpoints WHERE run_id = @runId
             AND id NOT IN (SELECT id FROM checkpoints WHERE run_id = @runId ORDER BY step DESC LIMIT @keepLast)
             AND step IS NOT (SELECT c.step FROM checkpoints c JOIN metrics m ON m.run_id = c.run_id AND m.step = c.step AND m.name = @metric
                              WHERE c.run_id = @runId ORDER BY m.value, c.step DESC LIMIT 1)`,
        )
        .run({ runId, keepLast, metric: this.selectionMetric(runId) })
    })()
    releaseFreePages(this.db)
  }

  /** Which checkpoint latestCheckpoint would return, without reading its state BLOB. */
  latestCheckpointRef(runId: string, atStep = Number.MAX_SAFE_INTEGER): { id: number; step: number } | undefined {
    return this.db.prepare('SELECT id, step FROM checkpoints WHERE run_id = ? AND step <= ? ORDER BY step DESC LIMIT 1').get(runId, atStep) as
      { id: number; step: number } | undefined
  }

  /** The newest checkpoint, or the newest at or before `atStep`. */
  latestCheckpoint(runId: string, atStep = Number.MAX_SAFE_INTEGER): StoredCheckpoint | undefined {
    const row = this.db.prepare('SELECT * FROM checkpoints WHERE run_id = ? AND step <= ? ORDER BY step DESC LIMIT 1').get(runId, atStep) as
      { id: number; step: number; reason: string; state: Buffer; sampler_json: string; bytes: number; created_at: number } | undefined
    if (!row) return undefined
    return {
      id: row.id,
      step: row.step,
      reason: row.reason,
      state: new Uint8Array(row.state.buffer, row.state.byteOffset, row.state.byteLength),
      sampler: JSON.parse(row.sampler_json) as SamplerState,
      bytes: row.bytes,
      createdAt: row.created_at,
    }
  }

  /** Kept checkpoints with their score: the selection metric's value at their step, when evaluated there. */
  checkpointSteps(runId: string): { step: number; bytes: number; reason: string; score: SelectionScore | null }[] {
    const metric = this.selectionMetric(runId)
    const rows = this.db
      .prepare(
        // SQLite takes the bare extractor from the row holding MIN(value).
        `SELECT c.step, c.bytes, c.reason, MIN(m.value) AS value, m.extractor
         FROM checkpoints c LEFT JOIN metrics m ON m.run_id = c.run_id AND m.step = c.step AND m.name = ?
         WHERE c.run_id = ? GROUP BY c.step ORDER BY c.step`,
      )
      .all(metric, runId) as { step: number; bytes: number; reason: string; value: number | null; extractor: SelectionScore['extractor'] | null }[]
    return rows.map((r) => ({
      step: r.step,
      bytes: r.bytes,
      reason: r.reason,
      score: r.value === null ? null : { metric, value: r.value, extractor: r.extractor! },
    }))
  }

  /** What ranks this run's checkpoints: intra-FID when it is conditional, FID otherwise. */
  private selectionMetric(runId: string): SelectionMetric {
    const numClasses = this.db.prepare("SELECT json_extract(config_json, '$.numClasses') FROM runs WHERE id = ?").pluck().get(runId) as number | null
    return selectionMetric(numClasses ?? 0)
  }

  appendLog(runId: string, p: LogPoint): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO train_log (run_id, step, d_loss_real, d_loss_fake, g_loss, gammas_json, real_sign, augment_p, images_per_second, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(runId, p.step, p.dLossReal, p.dLossFake, p.gLoss, JSON.stringify(p.gammas), p.realSign, p.augmentP, p.imagesPerSecond, Date.now())
  }

  appendSigmas(runId: string, p: SigmaPoint): void {
    this.db.prepare('INSERT OR REPLACE INTO sigma_log (run_id, step, sigmas_json) VALUES (?, ?, ?)').run(runId, p.step, JSON.stringify(p.sigmas))
  }

  /** Every recorded sigma point, by step (one per sample sheet: a few hundred even for long runs). */
  sigmas(runId: string): SigmaPoint[] {
    const rows = this.db.prepare('SELECT step, sigmas_json AS sigmas FROM sigma_log WHERE run_id = ? ORDER BY step').all(runId) as {
      step: number
      sigmas: string
    }[]
    return rows.map((r) => ({ step: r.step, sigmas: JSON.parse(r.sigmas) as SigmaPoint['sigmas'] }))
  }

  /**
   * The loss log, at most `maxPoints` rows: long runs are bucketed by step and
   * averaged, so the query and the chart stay fast at any run length.
   */
  log(runId: string, maxPoints = 2000): LogPoint[] {
    const { n, maxStep } = this.db.prepare('SELECT COUNT(*) AS n, COALESCE(MAX(step), 0) AS maxStep FROM train_log WHERE run_id = ?').get(runId) as {
      n: number
      maxStep: number
    }
    const bucket = n <= maxPoints ? 1 : Math.ceil((maxStep + 1) / maxPoints)
    const rows = this.db
      .prepare(
        // SQLite takes the bare gammas_json from the row holding MAX(step). better-sqlite3 binds
        // numbers as REAL, and step / 3.0 would put every step in a bucket of its own.
        `SELECT MAX(step) AS step, AVG(d_loss_real) AS dLossReal, AVG(d_loss_fake) AS dLossFake, AVG(g_loss) AS gLoss,
                AVG(real_sign) AS realSign, AVG(augment_p) AS augmentP, AVG(images_per_second) AS imagesPerSecond, gammas_json AS gammas
         FROM train_log WHERE run_id = ? GROUP BY step / CAST(? AS INTEGER) ORDER BY step`,
      )
      .all(runId, bucket) as LogRow[]
    return rows.map(toLogPoint)
  }

  saveSamples(runId: string, step: number, weights: 'raw' | 'ema', png: Uint8Array, perClass: number): void {
    this.db
      .prepare('INSERT OR REPLACE INTO samples (run_id, step, weights, png, per_class, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(runId, step, weights, Buffer.from(png), perClass, Date.now())
  }

  sampleSteps(runId: string, weights: 'raw' | 'ema'): number[] {
    return this.db.prepare('SELECT step FROM samples WHERE run_id = ? AND weights = ? ORDER BY step').pluck().all(runId, weights) as number[]
  }

  samplePng(runId: string, step: number, weights: 'raw' | 'ema'): Uint8Array | undefined {
    const png = this.db.prepare('SELECT png FROM samples WHERE run_id = ? AND step = ? AND weights = ?').pluck().get(runId, step, weights) as Buffer | undefined
    return png ? new Uint8Array(png) : undefined
  }

  samplePerClass(runId: string, step: number, weights: 'raw' | 'ema'): number {
    return (
      (this.db.prepare('SELECT per_class FROM samples WHERE run_id = ? AND step = ? AND weights = ?').pluck().get(runId, step, weights) as
        number | undefined) ?? 0
    )
  }

  /** Stores one evaluation's values (replacing the same step's values computed the same way); the run's best follows. */
  saveMetrics(runId: string, values: MetricValue[]): void {
    const insert = this.db.prepare(
      `INSERT INTO metrics (run_id, step, name, value, std, class_index, extractor, n_real, n_fake, image_size, resize, at)
       VALUES (@runId, @step, @name, @value, @std, @classIndex, @extractor, @nReal, @nFake, @imageSize, @resize, @at)`,
    )
    const metric = this.selectionMetric(runId)
    const best = this.db.prepare(
      `UPDATE runs SET best_metric = @name, best_value = @value, best_step = @step, best_extractor = @extractor
       WHERE id = @runId AND (best_value IS NULL OR @value < best_value OR (@value = best_value AND @step > best_step))`,
    )
    // A run resumed from a checkpoint before an evaluated step evaluates that step again: the new
    // value replaces the old one computed the same way, so a step never holds two of them.
    const replaced = this.db.prepare(
      `DELETE FROM metrics WHERE run_id = @runId AND step = @step AND name = @name AND class_index IS @classIndex
         AND extractor = @extractor AND n_real = @nReal AND n_fake = @nFake AND image_size = @imageSize AND resize = @resize`,
    )
    this.db.transaction(() => {
      for (const v of values) {
        replaced.run({
          runId,
          step: v.step,
          name: v.name,
          classIndex: v.classIndex ?? null,
          extractor: v.extractor,
          nReal: v.nReal,
          nFake: v.nFake,
          imageSize: v.imageSize,
          resize: v.resize,
        })
        insert.run({
          runId,
          step: v.step,
          name: v.name,
          value: v.value,
          std: v.std ?? null,
          classIndex: v.classIndex ?? null,
          extractor: v.extractor,
          nReal: v.nReal,
          nFake: v.nFake,
          imageSize: v.imageSize,
          resize: v.resize,
          at: Date.now(),
        })
        if (v.name === metric) best.run({ runId, name: v.name, value: v.value, step: v.step, extractor: v.extractor })
      }
    })()
  }

  metrics(runId: string): MetricValue[] {
    const rows = this.db
      .prepare('SELECT step, name, value, std, class_index, extractor, n_real, n_fake, image_size, resize FROM metrics WHERE run_id = ? ORDER BY step, id')
      .all(runId) as MetricRow[]
    return rows.map(toMetricValue)
  }

  /** Where a run's output ends now: newest log step, sample step and metric row (for relaying what another process adds). */
  outputMarks(runId: string): { logStep: number; sampleStep: number; metricId: number } {
    return this.db
      .prepare(
        `SELECT (SELECT COALESCE(MAX(step), -1) FROM train_log WHERE run_id = @runId) AS logStep,
                (SELECT COALESCE(MAX(step), -1) FROM samples WHERE run_id = @runId) AS sampleStep,
                (SELECT COALESCE(MAX(id), 0) FROM metrics WHERE run_id = @runId) AS metricId`,
      )
      .get({ runId }) as { logStep: number; sampleStep: number; metricId: number }
  }

  /** Loss-log rows after `step`, oldest first. */
  logAfter(runId: string, step: number): LogPoint[] {
    const rows = this.db
      .prepare(
        'SELECT step, d_loss_real AS dLossReal, d_loss_fake AS dLossFake, g_loss AS gLoss, real_sign AS realSign, augment_p AS augmentP, images_per_second AS imagesPerSecond, gammas_json AS gammas FROM train_log WHERE run_id = ? AND step > ? ORDER BY step LIMIT 1000',
      )
      .all(runId, step) as LogRow[]
    return rows.map(toLogPoint)
  }

  samplesAfter(runId: string, step: number): { step: number; weights: 'raw' | 'ema' }[] {
    return this.db.prepare('SELECT step, weights FROM samples WHERE run_id = ? AND step > ? ORDER BY step').all(runId, step) as {
      step: number
      weights: 'raw' | 'ema'
    }[]
  }

  /** Metric rows after row `id`, with their ids. */
  metricsAfter(runId: string, id: number): { id: number; value: MetricValue }[] {
    const rows = this.db
      .prepare(
        'SELECT id, step, name, value, std, class_index, extractor, n_real, n_fake, image_size, resize FROM metrics WHERE run_id = ? AND id > ? ORDER BY id',
      )
      .all(runId, id) as (MetricRow & { id: number })[]
    return rows.map((r) => ({ id: r.id, value: toMetricValue(r) }))
  }

  cached(key: string): Uint8Array | undefined {
    const bytes = this.db.prepare('SELECT bytes FROM extractor_cache WHERE key = ?').pluck().get(key) as Buffer | undefined
    return bytes ? new Uint8Array(bytes) : undefined
  }

  cache(key: string, bytes: Uint8Array): void {
    this.db.prepare('INSERT OR REPLACE INTO extractor_cache (key, bytes, created_at) VALUES (?, ?, ?)').run(key, Buffer.from(bytes), Date.now())
  }
}

type LogRow = Omit<LogPoint, 'gammas'> & { gammas: string }

function toLogPoint(r: LogRow): LogPoint {
  return {
    step: r.step,
    dLossReal: r.dLossReal,
    dLossFake: r.dLossFake,
    gLoss: r.gLoss,
    realSign: r.realSign,
    augmentP: r.augmentP,
    imagesPerSecond: r.imagesPerSecond,
    gammas: JSON.parse(r.gammas) as LogPoint['gammas'],
  }
}

interface MetricRow {
  step: number
  name: MetricValue['name']
  value: number
  std: number | null
  class_index: number | null
  extractor: MetricValue['extractor']
  n_real: number
  n_fake: number
  image_size: number
  resize: string
}

function toMetricValue(r: MetricRow): MetricValue {
  return {
    step: r.step,
    name: r.name,
    value: r.value,
    ...(r.std === null ? {} : { std: r.std }),
    ...(r.class_index === null ? {} : { classIndex: r.class_index }),
    extractor: r.extractor,
    nReal: r.n_real,
    nFake: r.n_fake,
    imageSize: r.image_size,
    resize: r.resize,
  }
}
