import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { StudioError } from '../../src-shared/errors'
import { MIGRATIONS, SCHEMA_VERSION } from './migrations'

export type Db = Database.Database

export interface OpenOptions {
  /** Electron loads an addon built for its own ABI (see docs/electron-addon.md). */
  nativeBinding?: string
}

/**
 * Opens (creating if needed) the studio database: WAL, foreign keys on,
 * migrations applied in one transaction. Refuses a file written by a newer
 * schema rather than risk corrupting it.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') makePrivate(file)
  const db = new Database(file, { nativeBinding: options.nativeBinding })
  try {
    // Only settable before the first table exists: deleted checkpoints then
    // give their pages back to the disk (PRAGMA incremental_vacuum after deletes).
    if (db.pragma('user_version', { simple: true }) === 0) db.pragma('auto_vacuum = INCREMENTAL')
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    migrate(db, file)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

/**
 * Runs, checkpoints and the user's notes are nobody else's business: the
 * folder is 0700 and the database 0600 (SQLite gives its -wal and -shm files
 * the database file's permissions).
 */
function makePrivate(file: string): void {
  const dir = dirname(file)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(dir, 0o700)
  closeSync(openSync(file, 'a', 0o600))
  chmodSync(file, 0o600)
}

/** Returns the pages of deleted rows to the file system (the database uses incremental auto-vacuum). */
export function releaseFreePages(db: Db): void {
  db.pragma('incremental_vacuum')
}

function migrate(db: Db, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new StudioError(
      'unsupported',
      `The database ${file} was written by a newer SAGAN Studio (schema ${current}; this version knows up to ${SCHEMA_VERSION}). ` +
        'Update the studio, or choose another data folder with --data-dir.',
      file,
    )
  }
  const pending = MIGRATIONS.filter((m) => m.version > current)
  if (pending.length === 0) return
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql)
      m.rewrite?.(db)
      db.pragma(`user_version = ${m.version}`)
    }
  })()
}
