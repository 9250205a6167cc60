import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from './database'
import { SCHEMA_VERSION } from './migrations'

const dirs: string[] = []
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sagan-db-'))
  dirs.push(dir)
  return join(dir, 'nested', 'studio.sqlite')
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('studio database', () => {
  it('creates the file and applies every migration from empty', () => {
    const db = openDatabase(tempFile())
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()
    expect(tables).toEqual(expect.arrayContaining(['runs', 'run_events', 'checkpoints', 'samples', 'train_log', 'metrics', 'extractor_cache']))
    db.close()
  })

  it('runs in WAL mode with foreign keys enforced', () => {
    const db = openDatabase(tempFile())
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(() =>
      db.prepare("INSERT INTO run_events (run_id, at, level, message) VALUES ('nope', 1, 'info', 'x')").run(),
    ).toThrow(/FOREIGN KEY/)
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
