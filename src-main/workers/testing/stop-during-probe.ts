// Test-only script (a process of its own, since the failure it guards against
// aborts the process): asks the built training worker which backend it gets,
// which loads Dawn (webgpu) for 'auto', and `argv[3]` ms after that load began
// ends the worker the way `argv[2]` says: 'stop' (stopWorker) or 'terminate'.
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { useSurfacelessEgl } from '../../engine/webgpu/adapter'
import type { TrainingCalls } from '../../engine/worker/training-contract'
import { connectWorker } from '../rpc'
import { stopWorker, withStopFlag } from '../worker-stop'

const [how, delay] = [process.argv[2], Number(process.argv[3])]
// As spawnBundledWorker does, keeping the word to watch for the load.
useSurfacelessEgl()
const { workerData, register } = withStopFlag(undefined)
const worker = new Worker(fileURLToPath(new URL('../../../out/main/training-worker.js', import.meta.url)), { workerData })
register(worker)
const flag = (workerData as { stopFlag: Int32Array }).stopFlag
connectWorker<TrainingCalls>(worker, 'training worker')
  .probeBackend()
  .catch(() => undefined) // the end may come first
while (Atomics.load(flag, 0) !== 1) await new Promise((resolve) => setTimeout(resolve, 1))
await new Promise((resolve) => setTimeout(resolve, delay))
await (how === 'stop' ? stopWorker(worker) : worker.terminate())
