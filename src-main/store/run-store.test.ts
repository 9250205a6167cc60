import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { PAUSED_BY_USER } from '../../src-shared/runs'
import { RunConfigSchema } from '../../src-shared/run-config'
import { openDatabase } from './database'
import { MIGRATIONS } from './migrations'
import { RunStore, type NewRun } from './run-store'

function store(): RunStore {
  return new RunStore(openDatabase(':memory:'))
}

const base: NewRun = {
  name: 'fashion quick',
  datasetPath: '/data/fashion',
  datasetName: 'fashion',
  preset: 'quick',
  ablation: 'sagan',
  config: { steps: 100 },
  targetSteps: 100,
  appVersion: '0.1.0',
}

describe('run store', () => {
  it('creates a run in the created state with its config, stored whole (defaults filled in)', () => {
    const runs = store()
    const run = runs.create(base)
    expect(run).toMatchObject({ name: 'fashion quick', status: 'created', step: 0, targetSteps: 100 })
    expect(run.id).toMatch(/^[a-z0-9]{12}$/)
    expect(runs.config(run.id)).toEqual(RunConfigSchema.parse({ steps: 100 }))
  })

  it('lists with search, status filter and sort, newest first by default', () => {
    const runs = store()
    const a = runs.create({ ...base, name: 'alpha' }, 1000)
    const b = runs.create({ ...base, name: 'beta', datasetName: 'faces' }, 2000)
    runs.create({ ...base, name: 'gamma 100%' }, 3000)
    runs.setStatus(b.id, 'paused')
    expect(runs.list().map((r) => r.name)).toEqual(['gamma 100%', 'beta', 'alpha'])
    expect(runs.list({ sort: 'name', order: 'asc' }).map((r) => r.name)).toEqual(['alpha', 'beta', 'gamma 100%'])
    expect(runs.list({ search: 'faces' }).map((r) => r.id)).toEqual([b.id])
    expect(runs.list({ search: '100%' }).map((r) => r.name)).toEqual(['gamma 100%'])
    expect(runs.list({ search: '%' }).map((r) => r.name)).toEqual(['gamma 100%'])
    expect(
      runs
        .list({ status: ['created'] })
        .map((r) => r.id)
        .sort(),
    ).toEqual([a.id, runs.list()[0].id].sort())
  })

  it('renames, sets notes and deletes; unknown ids are reported by id', () => {
    const runs = store()
    const run = runs.create(base)
    expect(runs.rename(run.id, 'renamed').name).toBe('renamed')
    expect(runs.setNotes(run.id, 'lr too high?').notes).toBe('lr too high?')
    runs.delete(run.id)
    expect(runs.list()).toEqual([])
    expect(() => runs.get(run.id)).toThrow(new RegExp(`No run with id ${run.id}`))
    expect(() => runs.rename('missing1', 'x')).toThrow(/No run with id missing1/)
  })

  it('stores why a run is in its status as a code beside the sentence', () => {
    const runs = store()
    const run = runs.create(base)
    expect(runs.setStatus(run.id, 'paused', PAUSED_BY_USER)).toMatchObject({ statusCode: 'by-user', statusReason: 'Paused by you.' })
    expect(runs.setStatus(run.id, 'running')).toMatchObject({ statusCode: null, statusReason: null })
    runs.setStatus(run.id, 'running')
    runs.markInterrupted('The studio closed while this run was training.')
    expect(runs.get(run.id)).toMatchObject({
      status: 'interrupted',
      statusCode: 'studio-closed',
      statusReason: 'The studio closed while this run was training.',
    })
  })

  it('gives runs saved before status codes existed the code their sentence meant', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sagan-v3-'))
    try {
      const file = join(dir, 'studio.sqlite')
      const old = new Database(file)
      for (const m of MIGRATIONS.filter((m) => m.version <= 3)) old.exec(m.sql)
      old.pragma('user_version = 3')
      const insert = old.prepare(
        `INSERT INTO runs (id, name, status, status_reason, dataset_path, dataset_name, preset, ablation, config_json, target_steps, created_at, updated_at, app_version)
         VALUES (?, 'r', ?, ?, '/d', 'd', 'quick', 'sagan', '{}', 10, 0, 0, '0.1.0')`,
      )
      insert.run('pausedbyuser', 'paused', 'Paused by you.')
      insert.run('nanpaused000', 'paused', 'Paused: G loss became NaN or infinite at step 3; the last good state was kept.')
      insert.run('crashed00000', 'failed', 'The training worker crashed: boom. Resume continues from the last checkpoint.')
      insert.run('neverstarted', 'failed', 'initBackend: no tfjs backend could start')
      insert.run('completed000', 'completed', null)
      old.close()
      const runs = new RunStore(openDatabase(file))
      const codes = Object.fromEntries(runs.list().map((r) => [r.id, r.statusCode]))
      expect(codes).toEqual({
        pausedbyuser: 'by-user',
        nanpaused000: 'non-finite',
        crashed00000: 'worker-crashed',
        neverstarted: 'start-failed',
        completed000: null,
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
