// How many data-parallel replicas a run trains with, and why.
import { availableParallelism } from 'node:os'
import type { RunConfig } from '../../../src-shared/run-config'

/** 'auto' stops here: measured scaling on 2 cores is 1.6-2.1x (docs/performance.md); more is untested. */
const MAX_AUTO = 4
/** 'auto' keeps at least this many images per replica: below it, per-kernel overhead eats the gain. */
const MIN_SHARE = 4
/** Backends that compute on one thread; tfjs-node (TensorFlow) already uses every core. */
const SINGLE_THREADED = new Set(['wasm', 'cpu'])

export interface ReplicaPlan {
  count: number
  /** Shown beside the backend: how the count was chosen. */
  reason: string
}

export function planReplicas(config: Pick<RunConfig, 'replicas' | 'batchSize'>, backend: string, cores = availableParallelism()): ReplicaPlan {
  // Replicas split a batch over CPU cores; a GPU already runs the whole batch in parallel, from one trainer.
  if (backend === 'webgpu') return { count: 1, reason: 'webgpu trains one trainer on the GPU (replicas are a wasm/cpu feature)' }
  if (config.replicas !== 'auto') return { count: config.replicas, reason: `replicas ${config.replicas} in the run config` }
  if (!SINGLE_THREADED.has(backend)) return { count: 1, reason: `the ${backend} backend uses every core itself` }
  if (cores < 2) return { count: 1, reason: 'one core' }
  let count = Math.min(cores, MAX_AUTO)
  while (count > 1 && (config.batchSize % count !== 0 || config.batchSize / count < MIN_SHARE)) count--
  if (count === 1) return { count, reason: `batch ${config.batchSize} is too small to share (at least ${MIN_SHARE} images per replica)` }
  return { count, reason: `one per core on ${cores} cores (${backend} runs on one thread)` }
}
