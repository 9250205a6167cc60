import { Worker } from 'node:worker_threads'
import { expect, test } from 'vitest'
import { buildRunConfig } from '../../../src-shared/run-config'
import type { MainToWorker, WorkerToMain } from './messages'

// A real worker_threads Worker on the TypeScript source: the bootstrap registers
// tsx and the tfjs resolve hook (the built app bundles the worker instead).
const bootstrap = new URL('../testing/ts-worker-bootstrap.mjs', import.meta.url)

test('the worker trains off the main thread: ready, progress, completed, while the main event loop keeps ticking', async () => {
  const worker = new Worker(bootstrap, { workerData: { entry: new URL('./training-worker.ts', import.meta.url).href } })
  const messages: WorkerToMain[] = []
  let ticks = 0
  const ticker = setInterval(() => ticks++, 20)
  const config = buildRunConfig('quick', 'sagan', { gCh: 8, dCh: 8, batchSize: 2, steps: 2, numClasses: 0, channels: 1, backend: 'wasm', sampleEvery: 1000 })
  const start: MainToWorker = {
    type: 'start',
    config,
    dataset: { images: new Uint8Array(4 * 32 * 32).map((_, i) => i % 251), labels: new Int32Array(4), classNames: [], imageSize: 32, channels: 1 },
  }
  const done = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: WorkerToMain) => {
      messages.push(m)
      if (m.type === 'completed') resolve()
      if (m.type === 'error') reject(new Error(m.message))
    })
    worker.on('error', reject)
  })
  worker.postMessage(start)
  await done
  clearInterval(ticker)
  await worker.terminate()
  expect(messages[0]).toMatchObject({ type: 'ready', backend: { name: 'wasm' }, attentionLayers: ['G.attention32', 'D.attention16'] })
  expect(messages.filter((m) => m.type === 'progress').at(-1)).toMatchObject({ step: 2, targetStep: 2 })
  expect(messages.at(-1)).toEqual({ type: 'completed', step: 2 })
  expect(ticks).toBeGreaterThan(5)
})
