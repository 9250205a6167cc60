// The built training worker (out/main/training-worker.js: npm run build first) on
// webgpu: Dawn stays an external addon, tfjs-backend-webgpu a lazy chunk, and a
// whole tiny run (steps, sheets, checkpoints) goes through the worker's calls and events.
import { expect, test } from 'vitest'
import { buildRunConfig } from '../../../src-shared/run-config'
import { spawnBundledWorker } from '../../workers/bundled-worker'
import { connectWorker } from '../../workers/rpc'
import { stopWorker } from '../../workers/worker-stop'
import type { Checkpoint, Samples, TrainingCalls, TrainingEvents, TrainingProgress } from '../worker/training-contract'

// Dawn is loaded by the worker only, as in the app (this test process never opens a GPU itself).
test('a run asking for webgpu trains in the bundled worker, names its adapter, sends sheets and checkpoints', async (ctx) => {
  const worker = spawnBundledWorker('training-worker')
  const config = buildRunConfig('quick', 'sagan', {
    gCh: 4,
    dCh: 4,
    batchSize: 2,
    steps: 2,
    numClasses: 0,
    channels: 1,
    backend: 'webgpu',
    sampleEvery: 2,
    checkpointEvery: { steps: 1 },
    ema: { enabled: false },
  })
  const progress: TrainingProgress[] = []
  const sheets: Samples[] = []
  const checkpoints: Checkpoint[] = []
  let completed!: () => void
  let failed!: (err: Error) => void
  const done = new Promise<void>((resolve, reject) => ((completed = resolve), (failed = reject)))
  const ignore = () => undefined
  const events: TrainingEvents = {
    progress: (p) => void progress.push(p),
    sheet: (s) => void sheets.push(s),
    checkpointTaken: (c) => void checkpoints.push(c),
    completed: () => completed(),
    failed: (message) => failed(new Error(message)),
    spectralNorms: ignore,
    paused: ignore,
    stopped: ignore,
    nonFinite: ignore,
  }
  worker.on('error', failed)
  const ready = await connectWorker<TrainingCalls, TrainingEvents>(worker, 'training worker', events).start({
    config,
    dataset: { images: new Uint8Array(4 * 32 * 32).map((_, i) => i % 251), labels: new Int32Array(4), classNames: [], imageSize: 32, channels: 1 },
  })
  await done
  await stopWorker(worker)
  if (ready.backend.name !== 'webgpu')
    return ctx.skip(
      `no WebGPU adapter could be created in the worker (${ready.backend.skipped.find((s) => s.name === 'webgpu')?.reason ?? 'webgpu did not load'})`,
    )
  expect(ready).toMatchObject({ backend: { name: 'webgpu', adapter: { device: expect.any(String), software: expect.any(Boolean) } }, replicas: { count: 1 } })
  expect(progress.at(-1)).toMatchObject({ step: 2, backend: expect.stringMatching(/^webgpu on /) })
  for (const p of progress) for (const v of [p.dLossReal, p.dLossFake, p.gLoss]) expect(Number.isFinite(v)).toBe(true)
  expect(sheets[0]).toMatchObject({ step: 2, weights: 'raw' })
  expect(new Set(sheets[0]?.images ?? []).size).toBeGreaterThan(10)
  expect(checkpoints.map((c) => [c.reason, c.step])).toEqual([
    ['interval', 1],
    ['interval', 2],
    ['final', 2],
  ])
}, 120_000)
