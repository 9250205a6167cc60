// Stopping a worker without taking the process down. A worker terminated
// while Dawn's addon (webgpu) initialises aborts the whole process: its N-API
// calls fail in the stopping thread and node-addon-api makes that fatal
// ("FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw"). So the two
// ends share one word: the worker marks such a load, and stopWorker waits for
// it to finish before terminating (and bars new ones meanwhile).
import { type Worker, workerData } from 'node:worker_threads'

const IDLE = 0
const LOADING = 1
const CLOSING = 2

/** Where the word travels in workerData (spawnBundledWorker puts it there). */
const KEY = 'stopFlag'

/** How long a stop waits for a load before terminating anyway: Dawn's set-up took 39-44 ms on llvmpipe (254 ms cold); a slow driver gets the rest. */
const GRACE_MS = 30_000

const POLL_MS = 20

const flags = new WeakMap<Worker, Int32Array>()

/** workerData for a new worker, with the stop word added; `register` ties the word to the Worker once it exists. */
export function withStopFlag(data: object | undefined): { workerData: object; register: (worker: Worker) => void } {
  const flag = new Int32Array(new SharedArrayBuffer(4))
  return { workerData: { ...data, [KEY]: flag }, register: (worker) => void flags.set(worker, flag) }
}

/** Terminates `worker` once no native load is in flight (at most GRACE_MS later). */
export async function stopWorker(worker: Worker): Promise<void> {
  const flag = flags.get(worker)
  const deadline = Date.now() + GRACE_MS
  // Polled: a load is short, and Atomics.waitAsync is not in this TypeScript lib.
  while (flag && Atomics.compareExchange(flag, 0, IDLE, CLOSING) === LOADING && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  await worker.terminate()
}

/**
 * Runs `load` (a native addon's import and set-up) so that stopWorker waits for it.
 * Outside a bundled worker (the CLI's main thread) it just runs it.
 */
export async function unstoppable<T>(load: () => Promise<T>): Promise<T> {
  const flag = (workerData as Record<string, unknown> | null)?.[KEY]
  if (!(flag instanceof Int32Array)) return load()
  if (Atomics.compareExchange(flag, 0, IDLE, LOADING) === CLOSING) throw new Error('the worker is stopping')
  try {
    return await load()
  } finally {
    Atomics.store(flag, 0, IDLE)
  }
}
