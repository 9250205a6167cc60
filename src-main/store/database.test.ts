import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { RunConfigSchema } from '../../src-shared/run-config'
import { openDatabase } from './database'
import { MIGRATIONS, SCHEMA_VERSION } from './migrations'
import { RunStore } from './run-store'

const dirs: string[] = []
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sagan-db-'))
  dirs.push(dir)
  return join(dir, 'nested', 'studio.sqlite')
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A database file as a studio of schema `version` left it, open with plain SQLite to write old rows. */
function databaseAtSchema(version: number): { file: string; raw: Database.Database } {
  const file = tempFile()
  mkdirSync(dirname(file), { recursive: true })
  const raw = new Database(file)
  for (const m of MIGRATIONS.filter((m) => m.version <= version)) raw.exec(m.sql)
  raw.pragma(`user_version = ${version}`)
  return { file, raw }
}

describe('studio database', () => {
  it('creates the file and applies every migration from empty', () => {
    const db = openDatabase(tempFile())
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()
    expect(tables).toEqual(expect.arrayContaining(['runs', 'run_events', 'checkpoints', 'samples', 'train_log', 'metrics', 'extractor_cache']))
    db.close()
  })

  it('moves a schema-4 database to best-by-selection-metric: intra-FID for conditional runs, FID for the others', () => {
    const { file, raw } = databaseAtSchema(4)
    const insertRun = raw.prepare(
      `INSERT INTO runs (id, name, status, dataset_path, dataset_name, preset, config_json, app_version, target_steps, best_fid, created_at, updated_at)
       VALUES (?, ?, 'completed', '/d', 'd', 'quick', ?, '0.1.0', 10, ?, 0, 0)`,
    )
    insertRun.run('cond01', 'conditional', JSON.stringify({ numClasses: 10 }), 3.18)
    insertRun.run('uncond', 'unconditional', JSON.stringify({ numClasses: 0 }), 7.5)
    insertRun.run('noeval', 'not evaluated', JSON.stringify({ numClasses: 10 }), null)
    const metric = raw.prepare(
      `INSERT INTO metrics (run_id, step, name, value, extractor, n_real, n_fake, image_size, resize, at) VALUES (?, ?, ?, ?, 'dataset-classifier', 10, 10, 32, 'none', 0)`,
    )
    for (const [step, fid, intra] of [
      [1000, 3.18, 9.69],
      [2000, 3.84, 5.74],
    ] as const) {
      metric.run('cond01', step, 'fid', fid)
      metric.run('cond01', step, 'intra_fid', intra)
    }
    metric.run('uncond', 500, 'fid', 7.5)
    raw.close()
    const db = openDatabase(file)
    const rows = db.prepare('SELECT id, best_metric, best_value, best_step, best_extractor FROM runs ORDER BY id').all()
    expect(rows).toEqual([
      { id: 'cond01', best_metric: 'intra_fid', best_value: 5.74, best_step: 2000, best_extractor: 'dataset-classifier' },
      { id: 'noeval', best_metric: null, best_value: null, best_step: null, best_extractor: null },
      { id: 'uncond', best_metric: 'fid', best_value: 7.5, best_step: 500, best_extractor: 'dataset-classifier' },
    ])
    expect(db.prepare("SELECT name FROM pragma_table_info('runs') WHERE name = 'best_fid'").all()).toEqual([])
    db.close()
  })

  it('moves a schema-8 database to whole run configs: settings added since a run was made get their defaults', () => {
    const { file, raw } = databaseAtSchema(8)
    // A config from before DiffAugment, data-parallel replicas and class balancing existed.
    const old = { preset: 'quick', ablation: 'sagan', imageSize: 32, channels: 1, numClasses: 10, batchSize: 16, steps: 400, ema: { enabled: false } }
    const insertRun = raw.prepare(
      `INSERT INTO runs (id, name, status, dataset_path, dataset_name, preset, config_json, app_version, target_steps, created_at, updated_at)
       VALUES (?, ?, 'completed', '/d', 'd', 'quick', ?, '0.1.0', 400, 0, 0)`,
    )
    insertRun.run('old001', 'old', JSON.stringify(old))
    insertRun.run('broken', 'broken', JSON.stringify({ imageSize: 33 }))
    raw.close()
    const db = openDatabase(file)
    const stored = (id: string) => JSON.parse(db.prepare('SELECT config_json FROM runs WHERE id = ?').pluck().get(id) as string) as unknown
    const whole = RunConfigSchema.parse(old)
    expect(stored('old001')).toEqual(whole)
    expect(whole).toMatchObject({ augment: { policy: 'off' }, replicas: 'auto', classBalanced: false, ema: { enabled: false, decay: 0.999 }, batchSize: 16 })
    expect(new RunStore(db).config('old001')).toEqual(whole)
    // A config no schema reads is kept as written; reading it names the run.
    expect(stored('broken')).toEqual({ imageSize: 33 })
    expect(() => new RunStore(db).config('broken')).toThrow(/stored settings of run broken .*imageSize/s)
    db.close()
  })

  it.skipIf(process.platform === 'win32')('keeps its files private: the folder 0700, the database and its WAL 0600', () => {
    const file = tempFile()
    const db = openDatabase(file)
    db.prepare('CREATE TABLE t (x)').run()
    const mode = (p: string) => statSync(p).mode & 0o777
    expect(mode(dirname(file))).toBe(0o700)
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe(0o600)
    db.close()
  })

  it('runs in WAL mode with foreign keys enforced', () => {
    const db = openDatabase(tempFile())
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(() => db.prepare("INSERT INTO run_events (run_id, at, level, message) VALUES ('nope', 1, 'info', 'x')").run()).toThrow(/FOREIGN KEY/)
    db.close()
  })

  it('reopens an existing database without re-running migrations and keeps its rows', () => {
    const file = tempFile()
    const first = openDatabase(file)
    first
      .prepare(
        `INSERT INTO runs (id, name, status, dataset_path, dataset_name, preset, config_json, app_version,
                           target_steps, created_at, updated_at)
         VALUES ('abc123', 'kept', 'created', '/d', 'd', 'quick', '{}', '0.1.0', 10, 1, 1)`,
      )
      .run()
    first.close()
    const second = openDatabase(file)
    expect(second.prepare('SELECT name FROM runs').pluck().all()).toEqual(['kept'])
    expect(second.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    second.close()
  })

  it('refuses a database written by a newer schema and leaves it untouched', () => {
    const file = tempFile()
    const db = openDatabase(file)
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`)
    db.close()
    expect(() => openDatabase(file)).toThrow(/newer SAGAN Studio.*--data-dir/)
    // Open with plain SQLite to check nothing was changed.
    const check = new Database(file, { readonly: true })
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5)
    check.close()
  })
})
