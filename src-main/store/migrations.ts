// Numbered schema migrations, applied in order at open. The schema version
// lives in PRAGMA user_version. Never edit a shipped migration: add one.
export interface Migration {
  version: number
  name: string
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs',
    sql: `
      CREATE TABLE runs (
        id                  TEXT PRIMARY KEY,
        name                TEXT NOT NULL,
        status              TEXT NOT NULL CHECK (status IN
                              ('created','running','paused','completed','stopped','failed','interrupted')),
        status_reason       TEXT,
        dataset_path        TEXT NOT NULL,
        dataset_name        TEXT NOT NULL,
        dataset_fingerprint TEXT,
        dataset_report_json TEXT,
        preset              TEXT NOT NULL,
        ablation            TEXT NOT NULL DEFAULT 'sagan',
        config_json         TEXT NOT NULL,
        backend             TEXT,
        app_version         TEXT NOT NULL,
        notes               TEXT NOT NULL DEFAULT '',
        step                INTEGER NOT NULL DEFAULT 0,
        target_steps        INTEGER NOT NULL,
        best_fid            REAL,
        duration_ms         INTEGER NOT NULL DEFAULT 0,
        created_at          INTEGER NOT NULL,
        updated_at          INTEGER NOT NULL
      );
      CREATE INDEX runs_by_created ON runs (created_at);
      CREATE INDEX runs_by_status ON runs (status);

      CREATE TABLE run_events (
        id      INTEGER PRIMARY KEY,
        run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        at      INTEGER NOT NULL,
        level   TEXT NOT NULL CHECK (level IN ('info','warning','error')),
        message TEXT NOT NULL
      );
      CREATE INDEX run_events_by_run ON run_events (run_id, at);
    `,
  },
]

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version
