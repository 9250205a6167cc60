import { describe, expect, it } from 'vitest'
import { openDatabase } from './database'
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
  it('creates a run in the created state with its config', () => {
    const runs = store()
    const run = runs.create(base)
    expect(run).toMatchObject({ name: 'fashion quick', status: 'created', step: 0, targetSteps: 100 })
    expect(run.id).toMatch(/^[a-z0-9]{12}$/)
    expect(runs.config(run.id)).toEqual({ steps: 100 })
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
    expect(runs.list({ status: ['created'] }).map((r) => r.id).sort()).toEqual([a.id, runs.list()[0].id].sort())
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
})
