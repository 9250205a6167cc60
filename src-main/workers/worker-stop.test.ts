import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { expect, test } from 'vitest'
import { stopWorker, unstoppable, withStopFlag } from './worker-stop'

// A real worker thread on the TypeScript source (the bootstrap registers tsx).
const bootstrap = new URL('../engine/testing/ts-worker-bootstrap.mjs', import.meta.url)
const entry = new URL('./testing/slow-load-worker.ts', import.meta.url).href
/** The phases the worker writes. */
const LOADING = 1
const LOADED = 2

/** A worker whose load takes `loadMs`, once it has begun loading. */
async function loadingWorker(loadMs: number): Promise<{ worker: Worker; phase: Int32Array }> {
  const phase = new Int32Array(new SharedArrayBuffer(4))
  const { workerData, register } = withStopFlag({ entry, phase, loadMs })
  const worker = new Worker(bootstrap, { workerData })
  register(worker)
  while (Atomics.load(phase, 0) !== LOADING) await new Promise((resolve) => setTimeout(resolve, 5))
  return { worker, phase }
}

test('stopWorker lets a load in flight finish before terminating; terminate alone cuts it short', async () => {
  const stopped = await loadingWorker(400)
  await stopWorker(stopped.worker)
  expect(Atomics.load(stopped.phase, 0)).toBe(LOADED)

  const cut = await loadingWorker(400)
  await cut.worker.terminate()
  expect(Atomics.load(cut.phase, 0)).toBe(LOADING)
})

test('outside a bundled worker (the CLI) a load just runs', async () => {
  await expect(unstoppable(async () => 42)).resolves.toBe(42)
})

/** How each end went: the script's exit code, and whether Dawn aborted it. */
async function endDuringLoad(how: 'stop' | 'terminate', delay: number): Promise<{ delay: number; code: number | null; fatal: boolean }> {
  const script = fileURLToPath(new URL('./testing/stop-during-probe.ts', import.meta.url))
  // No core file from the aborts this test provokes (ulimit -c 0), wherever the machine puts them.
  const child = spawn('sh', ['-c', 'ulimit -c 0; exec "$0" --import tsx "$@"', process.execPath, script, how, String(delay)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d))
  child.stderr.on('data', (d: Buffer) => (output += d))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { delay, code, fatal: output.includes('FATAL ERROR') }
}

// Ends at 0-60 ms into Dawn's set-up (it lasts about 40 ms with a software
// adapter, once warm). Terminated there, 4 in 12 workers aborted their process with
// "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw" from dawn.node.
test('ending the built training worker while it loads Dawn: terminate aborts the process, stopWorker never does', { timeout: 180_000 }, async () => {
  const delays = Array.from({ length: 13 }, (_, i) => i * 5)
  const terminated = []
  for (const delay of delays) terminated.push(await endDuringLoad('terminate', delay))
  // The harness reaches the window: without the wait the process dies.
  expect(terminated.filter((t) => t.fatal).length).toBeGreaterThan(0)
  const stopped = []
  for (const delay of delays) stopped.push(await endDuringLoad('stop', delay))
  expect(stopped).toEqual(delays.map((delay) => ({ delay, code: 0, fatal: false })))
})
