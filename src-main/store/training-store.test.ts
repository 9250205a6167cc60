import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { defaultCheckpointStep } from '../../src-shared/export'
import type { MetricValue } from '../../src-shared/metrics'
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
  it('keeps the last K checkpoints plus the best by FID (unconditional run), and moves the run step with each save', () => {
    const { runs, training } = stores()
    const run = runs.create(sampleRun)
    for (const step of [10, 20, 30]) training.saveCheckpoint(run.id, { step, reason: 'interval', state: randomBytes(1000), sampler }, 2, step * 100)
    expect(training.checkpointSteps(run.id).map((c) => c.step)).toEqual([20, 30])
    training.saveMetrics(run.id, [{ step: 20, name: 'fid', value: 12.5, extractor: 'dataset-classifier', nReal: 10, nFake: 10, imageSize: 32, resize: 'none' }])
    for (const step of [40, 50]) training.saveCheckpoint(run.id, { step, reason: 'interval', state: randomBytes(1000), sampler }, 2, step * 100)
    expect(training.checkpointSteps(run.id).map((c) => c.step)).toEqual([20, 40, 50])
    expect(runs.get(run.id)).toMatchObject({ step: 50, durationMs: 5000, best: { metric: 'fid', value: 12.5, step: 20, extractor: 'dataset-classifier' } })
    expect(training.latestCheckpoint(run.id, 45)?.step).toBe(40)
    expect(training.latestCheckpointRef(run.id, 45)).toEqual({ id: training.latestCheckpoint(run.id, 45)!.id, step: 40 })
    expect(training.latestCheckpointRef(run.id, 5)).toBeUndefined()
  })

  it('ranks a conditional run by intra-FID, not FID: best, kept checkpoint and checkpoint scores', () => {
    const { runs, training } = stores()
    const run = runs.create({ ...sampleRun, config: { steps: 100, numClasses: 10 } })
    const at = (step: number, fid: number, intraFid: number): MetricValue[] => [
      { step, name: 'fid', value: fid, extractor: 'dataset-classifier', nReal: 10, nFake: 10, imageSize: 32, resize: 'none' },
      { step, name: 'intra_fid', value: intraFid, extractor: 'dataset-classifier', nReal: 10, nFake: 10, imageSize: 32, resize: 'none' },
      { step, name: 'class_fid', value: 0.5, classIndex: 3, extractor: 'dataset-classifier', nReal: 1, nFake: 1, imageSize: 32, resize: 'none' },
    ]
    // The run: FID is lowest at step 20, intra-FID keeps falling to step 40.
    training.saveCheckpoint(run.id, { step: 20, reason: 'interval', state: randomBytes(100), sampler }, 1, 0)
    training.saveMetrics(run.id, at(20, 3.18, 9.69))
    // An evaluation that finishes before its checkpoint is written still scores it.
    training.saveMetrics(run.id, at(40, 3.84, 5.74))
    training.saveCheckpoint(run.id, { step: 40, reason: 'interval', state: randomBytes(100), sampler }, 1, 0)
    training.saveCheckpoint(run.id, { step: 60, reason: 'interval', state: randomBytes(100), sampler }, 1, 0)
    expect(training.checkpointSteps(run.id)).toEqual([
      { step: 40, bytes: 100, reason: 'interval', score: { metric: 'intra_fid', value: 5.74, extractor: 'dataset-classifier' } },
      { step: 60, bytes: 100, reason: 'interval', score: null },
    ])
    expect(defaultCheckpointStep(training.checkpointSteps(run.id))).toBe(40)
    expect(runs.get(run.id).best).toEqual({ metric: 'intra_fid', value: 5.74, step: 40, extractor: 'dataset-classifier' })
    expect(runs.list({ sort: 'best', order: 'asc' }).map((r) => r.id)).toEqual([run.id])
  })

  it('replaces the values of a step evaluated again after a resume, instead of keeping two', () => {
    const { training, runs } = stores()
    const run = runs.create(sampleRun)
    const at = (value: number, nFake = 10): MetricValue[] => [
      { step: 200, name: 'fid', value, extractor: 'dataset-classifier', nReal: 10, nFake, imageSize: 32, resize: 'none' },
      { step: 200, name: 'class_fid', classIndex: 1, value, extractor: 'dataset-classifier', nReal: 1, nFake: 1, imageSize: 32, resize: 'none' },
    ]
    training.saveMetrics(run.id, at(5))
    training.saveMetrics(run.id, at(5.5))
    training.saveMetrics(run.id, at(7, 20)) // another sample count is another curve: kept
    expect(training.metrics(run.id).map((m) => [m.name, m.value, m.nFake])).toEqual([
      ['fid', 5.5, 10],
      ['fid', 7, 20],
      ['class_fid', 7, 1], // same class, same counts: replaced again
    ])
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

describe('GAN health log', () => {
  it('keeps r_t and p with each log point (bucketed by mean like the losses) and the sigma of every SN layer per step', () => {
    const { runs, training } = stores()
    const run = runs.create(sampleRun)
    const point = (step: number, realSign: number | null) => ({
      step,
      dLossReal: 1,
      dLossFake: 1,
      gLoss: 1,
      gammas: [],
      realSign,
      augmentP: realSign === null ? null : 0.25,
      imagesPerSecond: 1,
    })
    training.appendLog(run.id, point(1, 0.2))
    training.appendLog(run.id, point(2, 0.6))
    expect(training.log(run.id).map((p) => [p.realSign, p.augmentP])).toEqual([
      [0.2, 0.25],
      [0.6, 0.25],
    ])
    expect(training.log(run.id, 1)).toMatchObject([{ step: 2, realSign: 0.4, augmentP: 0.25 }])
    training.appendLog(run.id, point(3, null)) // a step logged before r_t existed reads as null
    expect(training.log(run.id).at(-1)).toMatchObject({ realSign: null, augmentP: null })

    training.appendSigmas(run.id, {
      step: 100,
      sigmas: [
        { layer: 'D.linear.w', sigma: 1.5 },
        { layer: 'G.linear.w', sigma: 0.9 },
      ],
    })
    training.appendSigmas(run.id, {
      step: 50,
      sigmas: [
        { layer: 'D.linear.w', sigma: 1.2 },
        { layer: 'G.linear.w', sigma: 1.1 },
      ],
    })
    expect(training.sigmas(run.id)).toEqual([
      {
        step: 50,
        sigmas: [
          { layer: 'D.linear.w', sigma: 1.2 },
          { layer: 'G.linear.w', sigma: 1.1 },
        ],
      },
      {
        step: 100,
        sigmas: [
          { layer: 'D.linear.w', sigma: 1.5 },
          { layer: 'G.linear.w', sigma: 0.9 },
        ],
      },
    ])
    runs.delete(run.id)
    expect(training.sigmas(run.id)).toEqual([])
  })
})
