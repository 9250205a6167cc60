import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { SamplerState } from '../data/sampler'
import { sampleRun } from '../testing/studio-fixture'
import { openDatabase } from './database'
import { RunStore } from './run-store'
import { TrainingStore } from './training-store'

let dir: string
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const sampler = { kind: 'uniform' } as unknown as SamplerState
const MiB = 1024 * 1024

function stores() {
  dir = mkdtempSync(join(tmpdir(), 'sagan-store-'))
  const file = join(dir, 'studio.sqlite')
  const db = openDatabase(file)
  return { db, file, runs: new RunStore(db), training: new TrainingStore(db) }
}

describe('checkpoint storage', () => {
  it('keeps the last K checkpoints plus the best by FID, and moves the run step with each save', () => {
    const { runs, training } = stores()
    const run = runs.create(sampleRun)
    for (const step of [10, 20, 30]) training.saveCheckpoint(run.id, { step, reason: 'interval', state: randomBytes(1000), sampler }, 2, step * 100)
    expect(training.checkpointSteps(run.id).map((c) => c.step)).toEqual([20, 30])
    training.saveMetrics(run.id, [{ step: 20, name: 'fid', value: 12.5, extractor: 'dataset-classifier', nReal: 10, nFake: 10, imageSize: 32, resize: 'none' }])
    for (const step of [40, 50]) training.saveCheckpoint(run.id, { step, reason: 'interval', state: randomBytes(1000), sampler }, 2, step * 100)
    expect(training.checkpointSteps(run.id).map((c) => c.step)).toEqual([20, 40, 50])
    expect(runs.get(run.id)).toMatchObject({ step: 50, durationMs: 5000, bestFid: 12.5 })
    expect(training.latestCheckpoint(run.id, 45)?.step).toBe(40)
    expect(training.latestCheckpointRef(run.id, 45)).toEqual({ id: training.latestCheckpoint(run.id, 45)!.id, step: 40 })
    expect(training.latestCheckpointRef(run.id, 5)).toBeUndefined()
  })

  it('gives the space of pruned checkpoints and deleted runs back to the disk', () => {
    const { db, file, runs, training } = stores()
    const run = runs.create(sampleRun)
    for (const step of [1, 2, 3, 4]) training.saveCheckpoint(run.id, { step, reason: 'interval', state: randomBytes(4 * MiB), sampler }, 1, 0)
    db.pragma('wal_checkpoint(TRUNCATE)')
    // Four 4 MiB checkpoints were written; only one is kept, and the file holds about one.
    expect(statSync(file).size).toBeLessThan(6 * MiB)
    runs.delete(run.id)
    db.pragma('wal_checkpoint(TRUNCATE)')
    expect(statSync(file).size).toBeLessThan(1 * MiB)
    db.close()
  })
})
