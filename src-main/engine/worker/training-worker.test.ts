import { Worker } from 'node:worker_threads'
import { expect, test } from 'vitest'
import { buildRunConfig } from '../../../src-shared/run-config'
import { connectWorker } from '../../workers/rpc'
import type { TrainingCalls, TrainingEvents, TrainingProgress } from './training-contract'

// A real worker_threads Worker on the TypeScript source: the bootstrap registers
// tsx and the tfjs resolve hook (the built app bundles the worker instead).
const bootstrap = new URL('../testing/ts-worker-bootstrap.mjs', import.meta.url)

test('the worker trains off the main thread: ready, progress, completed, while the main event loop keeps ticking', async () => {
  const worker = new Worker(bootstrap, { workerData: { entry: new URL('./training-worker.ts', import.meta.url).href } })
  const progress: TrainingProgress[] = []
  let ticks = 0
  const ticker = setInterval(() => ticks++, 20)
  const config = buildRunConfig('quick', 'sagan', { gCh: 8, dCh: 8, batchSize: 2, steps: 2, numClasses: 0, channels: 1, backend: 'wasm', sampleEvery: 1000 })
  let completed!: (step: number) => void
  let failed!: (err: Error) => void
  const done = new Promise<number>((resolve, reject) => ((completed = resolve), (failed = reject)))
  const ignore = () => undefined
  const events: TrainingEvents = {
    progress: (p) => void progress.push(p),
    completed: (step) => completed(step),
    failed: (message) => failed(new Error(message)),
    spectralNorms: ignore,
    sheet: ignore,
    checkpointTaken: ignore,
    paused: ignore,
    stopped: ignore,
    nonFinite: ignore,
  }
  const rpc = connectWorker<TrainingCalls, TrainingEvents>(worker, 'training worker', events)
  worker.on('error', failed)
  const ready = await rpc.start({
    config,
    dataset: { images: new Uint8Array(4 * 32 * 32).map((_, i) => i % 251), labels: new Int32Array(4), classNames: [], imageSize: 32, channels: 1 },
  })
  const step = await done
  clearInterval(ticker)
  await worker.terminate()
  expect(ready).toMatchObject({ backend: { name: 'wasm' }, attentionLayers: ['G.attention32', 'D.attention16'] })
  expect(progress.at(-1)).toMatchObject({ step: 2, targetStep: 2 })
  expect(step).toBe(2)
  expect(ticks).toBeGreaterThan(5)
})
