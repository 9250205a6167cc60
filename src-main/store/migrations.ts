// Numbered schema migrations, applied in order at open. The schema version
// lives in PRAGMA user_version. Never edit a shipped migration: add one.
import type Database from 'better-sqlite3'
import { RunConfigSchema } from '../../src-shared/run-config'

export interface Migration {
  version: number
  name: string
  sql: string
  /** Row rewrites SQL cannot express, run after `sql` in the same transaction. */
  rewrite?: (db: Database.Database) => void
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
  {
    version: 2,
    name: 'training',
    sql: `
      -- Full trainer state (weights, Adam moments, SN u vectors, RNG) as one BLOB
      -- per row: a row is written in one transaction, so it is whole or absent.
      CREATE TABLE checkpoints (
        id           INTEGER PRIMARY KEY,
        run_id       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step         INTEGER NOT NULL,
        reason       TEXT NOT NULL,
        state        BLOB NOT NULL,
        sampler_json TEXT NOT NULL,
        bytes        INTEGER NOT NULL,
        fid          REAL,
        created_at   INTEGER NOT NULL,
        UNIQUE (run_id, step)
      );

      -- The fixed-noise sample sheet per saved step, as PNG.
      CREATE TABLE samples (
        run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step       INTEGER NOT NULL,
        weights    TEXT NOT NULL CHECK (weights IN ('raw','ema')),
        png        BLOB NOT NULL,
        per_class  INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, step, weights)
      ) WITHOUT ROWID;

      -- One row per reported step (progress messages, about one a second).
      CREATE TABLE train_log (
        run_id            TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step              INTEGER NOT NULL,
        d_loss_real       REAL NOT NULL,
        d_loss_fake       REAL NOT NULL,
        g_loss            REAL NOT NULL,
        gammas_json       TEXT NOT NULL,
        images_per_second REAL NOT NULL,
        at                INTEGER NOT NULL,
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;

      -- Every metric value says how it was computed.
      CREATE TABLE metrics (
        id          INTEGER PRIMARY KEY,
        run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step        INTEGER NOT NULL,
        name        TEXT NOT NULL,
        value       REAL NOT NULL,
        std         REAL,
        class_index INTEGER,
        extractor   TEXT NOT NULL,
        n_real      INTEGER NOT NULL,
        n_fake      INTEGER NOT NULL,
        image_size  INTEGER NOT NULL,
        resize      TEXT NOT NULL,
        at          INTEGER NOT NULL
      );
      CREATE INDEX metrics_by_run ON metrics (run_id, name, step);
    `,
  },
  {
    version: 3,
    name: 'extractor cache',
    sql: `
      -- Trained feature extractors and real-image statistics, per dataset
      -- fingerprint and size: a second run on the same folder reuses them.
      CREATE TABLE extractor_cache (
        key        TEXT PRIMARY KEY,
        bytes      BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'status codes',
    sql: `
      -- The cause of a status as a code beside its sentence, so the UI never
      -- compares message text. Older rows get the code their sentence meant.
      ALTER TABLE runs ADD COLUMN status_code TEXT;
      UPDATE runs SET status_code = 'by-user' WHERE status_reason IN ('Paused by you.', 'Stopped by you.');
      UPDATE runs SET status_code = 'studio-closed' WHERE status = 'interrupted';
      UPDATE runs SET status_code = 'non-finite' WHERE status = 'paused' AND status_reason LIKE '%NaN or infinite%';
      UPDATE runs SET status_code = 'disk-full' WHERE status = 'paused' AND status_reason LIKE '%disk holding the data folder is full%';
      UPDATE runs SET status_code = 'write-failed' WHERE status = 'paused' AND status_reason LIKE '%saving training output failed%';
      UPDATE runs SET status_code = CASE
          WHEN status_reason LIKE 'The training worker crashed%' OR status_reason LIKE 'The training worker exited unexpectedly%' THEN 'worker-crashed'
          ELSE 'start-failed' END
        WHERE status = 'failed';
    `,
  },
  {
    version: 5,
    name: 'best by selection metric',
    sql: `
      -- A run's best evaluation by its selection metric (intra-FID when conditional, FID when
      -- not), with the step and the features it was computed with, replaces the bare best FID.
      ALTER TABLE runs ADD COLUMN best_metric TEXT;
      ALTER TABLE runs ADD COLUMN best_value REAL;
      ALTER TABLE runs ADD COLUMN best_step INTEGER;
      ALTER TABLE runs ADD COLUMN best_extractor TEXT;
      UPDATE runs SET best_metric = CASE WHEN COALESCE(json_extract(config_json, '$.numClasses'), 0) >= 2 THEN 'intra_fid' ELSE 'fid' END;
      UPDATE runs SET (best_value, best_step, best_extractor) = (
        SELECT value, step, extractor FROM metrics m
        WHERE m.run_id = runs.id AND m.name = runs.best_metric ORDER BY value, step DESC LIMIT 1);
      UPDATE runs SET best_metric = NULL WHERE best_value IS NULL;
      ALTER TABLE runs DROP COLUMN best_fid;
      -- Checkpoint scores are joined from metrics when read: a copy in the row missed
      -- evaluations that finished before their checkpoint was written.
      ALTER TABLE checkpoints DROP COLUMN fid;
    `,
  },
  {
    version: 6,
    name: 'sample health',
    sql: `
      -- Per evaluation: the fixed-noise grid as PNG and its health report (near-duplicate
      -- pairs, memorisation ratio; JSON of src-shared/sample-health.ts SampleHealth).
      CREATE TABLE sample_health (
        run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step        INTEGER NOT NULL,
        report_json TEXT NOT NULL,
        grid_png    BLOB NOT NULL,
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;

      -- Each grid sample's nearest real training images, nearest first, as PNG: the
      -- evaluation stays viewable when the dataset folder changes or moves.
      CREATE TABLE nearest_real (
        run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step        INTEGER NOT NULL,
        sample      INTEGER NOT NULL,
        rank        INTEGER NOT NULL,
        real_index  INTEGER NOT NULL,
        class_index INTEGER,
        distance    REAL NOT NULL,
        png         BLOB NOT NULL,
        PRIMARY KEY (run_id, step, sample, rank)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'training lease',
    sql: `
      -- The one process that trains in this data folder, while it does: others
      -- open the folder for browsing. A lease whose process is gone (dead pid on
      -- this machine, another boot, or no heartbeat for a while) is taken over.
      CREATE TABLE training_lease (
        slot         INTEGER PRIMARY KEY CHECK (slot = 1),
        owner        TEXT NOT NULL,
        pid          INTEGER NOT NULL,
        hostname     TEXT NOT NULL,
        boot_id      TEXT NOT NULL,
        since        INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL
      );
      -- The reason used to end in the sentence the UI adds itself ("Resume continues ...").
      UPDATE runs SET status_reason = 'The studio closed while this run was training.'
        WHERE status_reason = 'The studio closed while this run was training. Resume continues from its last checkpoint.';
    `,
  },
  {
    version: 8,
    name: 'gan health',
    sql: `
      -- ADA's overfitting signal r_t and DiffAugment's p per reported step (NULL before they existed).
      ALTER TABLE train_log ADD COLUMN real_sign REAL;
      ALTER TABLE train_log ADD COLUMN augment_p REAL;
      -- The spectral norm sigma of every SN layer, read when a sample sheet is made.
      CREATE TABLE sigma_log (
        run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step        INTEGER NOT NULL,
        sigmas_json TEXT NOT NULL,
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 9,
    name: 'whole run configs',
    sql: '',
    // Configs written before a setting existed lack it: each is stored in its parsed form, defaults
    // filled in. One that does not parse stays as it is (reading it names the run and the problem).
    rewrite: (db) => {
      const rows = db.prepare('SELECT id, config_json FROM runs').all() as { id: string; config_json: string }[]
      const update = db.prepare('UPDATE runs SET config_json = ? WHERE id = ?')
      for (const row of rows) {
        const parsed = RunConfigSchema.safeParse(JSON.parse(row.config_json))
        if (parsed.success) update.run(JSON.stringify(parsed.data), row.id)
      }
    },
  },
]

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version
