// The built training worker (out/main/training-worker.js: npm run build first) on
// webgpu: Dawn stays an external addon, tfjs-backend-webgpu a lazy chunk, and a
// whole tiny run (steps, sheets, checkpoints) goes through the worker's messages.
import { expect, test } from 'vitest'
import { buildRunConfig } from '../../../src-shared/run-config'
import type { MainToWorker, WorkerToMain } from '../worker/messages'
import { spawnBundledWorker } from '../worker/bundled-worker'

// Dawn is loaded by the worker only, as in the app (this test process never opens a GPU itself).
test('a run asking for webgpu trains in the bundled worker, names its adapter, sends sheets and checkpoints', async (ctx) => {
  const worker = spawnBundledWorker('training-worker')
  const messages: WorkerToMain[] = []
  const config = buildRunConfig('quick', 'sagan', { gCh: 4, dCh: 4, batchSize: 2, steps: 2, numClasses: 0, channels: 1, backend: 'webgpu', sampleEvery: 2, checkpointEvery: { steps: 1 }, ema: { enabled: false } })
  const start: MainToWorker = {
    type: 'start',
    config,
    dataset: { images: new Uint8Array(4 * 32 * 32).map((_, i) => i % 251), labels: new Int32Array(4), classNames: [], imageSize: 32, channels: 1 },
  }
  let fellBack: string | null = null
  const done = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: WorkerToMain) => {
      messages.push(m)
      if (m.type === 'ready' && m.backend.name !== 'webgpu') fellBack = m.backend.skipped.find((s) => s.name === 'webgpu')?.reason ?? 'webgpu did not load'
      if (m.type === 'completed') resolve()
      if (m.type === 'error') reject(new Error(m.message))
    })
    worker.on('error', reject)
  })
  worker.postMessage(start)
  await done
  await worker.terminate()
  if (fellBack) return ctx.skip(`no WebGPU adapter could be created in the worker (${fellBack})`)
  const ready = messages.find((m) => m.type === 'ready')
  expect(ready).toMatchObject({ backend: { name: 'webgpu', adapter: { device: expect.any(String), software: expect.any(Boolean) } }, replicas: { count: 1 } })
  const progress = messages.filter((m) => m.type === 'progress')
  expect(progress.at(-1)).toMatchObject({ step: 2, backend: expect.stringMatching(/^webgpu on /) })
  for (const p of progress) for (const v of [p.dLossReal, p.dLossFake, p.gLoss]) expect(Number.isFinite(v)).toBe(true)
  const sheet = messages.find((m) => m.type === 'samples')
  expect(sheet).toMatchObject({ step: 2, weights: 'raw' })
  expect(new Set(sheet?.type === 'samples' ? sheet.images : []).size).toBeGreaterThan(10)
  expect(messages.filter((m) => m.type === 'checkpoint').map((m) => m.type === 'checkpoint' && [m.reason, m.step])).toEqual([['interval', 1], ['interval', 2], ['final', 2]])
}, 120_000)
