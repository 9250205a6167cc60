// The cost of a run before it starts. Memory comes from the engine's
// estimator (calibrated on a measured wasm heap peak); time from the FLOPs of
// one step over the throughput this backend reached in bench:train on a
// 2-core machine (docs/performance.md), so it is a rough guide, and says so.
// Data-parallel replicas split the memory of the batch and share the work.
import type { GpuAdapterReport } from '../../../src-shared/contract'
import { type RunConfig, backendLabel } from '../../../src-shared/run-config'
import type { RunEstimate } from '../../../src-shared/training'
import { trainingFlopsPerStep } from '../../engine/cost'
import { estimateTrainingMemory } from '../../engine/memory-estimate'
import { planReplicas } from '../../engine/replicas/replica-count'

/** GFLOP/s of one trainer per backend: wasm measured (bench:train --replicas 1, 2-core EPYC, 2026-11-26 20:13 UTC); the others are stated assumptions. */
const MEASURED_GFLOPS: Record<string, { rate: number; source: string }> = {
  wasm: { rate: 13, source: 'one tfjs wasm trainer ran these models at 12.8-15.8 GFLOP/s in bench:train on 2 cores' },
  cpu: { rate: 0.45, source: 'assumed: the pure-JS cpu backend ran about 20x slower than wasm in the environment probe' },
  tensorflow: { rate: 30, source: 'assumed close to PyTorch, which ran these models at 32 GFLOP/s on 2 cores; tfjs-node was not measurable here' },
  'tensorflow-gpu': { rate: 300, source: 'not measured: a rough order of magnitude for a GPU' },
  webgpu: { rate: 300, source: 'not measured (no GPU machine was available): a rough order of magnitude for a GPU' },
}

/**
 * What each replica beyond the first adds to the speed of one: two wasm replicas on
 * 2 cores ran 1.3-2.1x one trainer's speed (bench:train, bench:scaling; docs/performance.md).
 */
const REPLICA_GAIN = 0.6

/** A CPU rasteriser posing as a GPU: the quick preset (18.7 GFLOP per step) took 190 s per step on llvmpipe, 0.10 GFLOP/s (bench:train, docs/performance.md). */
const SOFTWARE_WEBGPU = { rate: 0.1, source: 'measured on a software WebGPU adapter (llvmpipe): 190 s per quick-preset step, far slower than wasm' }

export function estimateRun(config: RunConfig, backend: string, cores?: number, adapter?: GpuAdapterReport): RunEstimate {
  const replicas = planReplicas(config, backend, cores)
  const memory = estimateTrainingMemory(config, backend, { replicas: replicas.count, gpuLimits: adapter?.limits })
  const buffers = memory.gpuBuffers
  const flops = trainingFlopsPerStep(config)
  const measured = adapter?.software ? SOFTWARE_WEBGPU : (MEASURED_GFLOPS[backend] ?? MEASURED_GFLOPS.wasm)
  const speedup = 1 + REPLICA_GAIN * (replicas.count - 1)
  const parallel = replicas.count > 1 ? `, x${speedup.toFixed(1)} for ${replicas.count} replicas: ${replicas.reason}` : ''
  return {
    backend: backendLabel(backend, replicas.count, adapter),
    replicas: replicas.count,
    memoryBytes: memory.bytes.total,
    limitBytes: memory.limitBytes,
    machine: { allReplicasBytes: memory.machine.allReplicasBytes, totalBytes: memory.machine.totalBytes, freeBytes: memory.machine.freeBytes },
    fits: memory.fits,
    advice: memory.fits ? null : (memory.message ?? 'Lower the batch size, the width (gCh/dCh) or the image size.'),
    ...(buffers ? { gpuBuffer: { largest: buffers.largest.what, largestBytes: buffers.largest.bytes, limitBytes: buffers.limitBytes } } : {}),
    flopsPerStep: flops,
    secondsPer1000Steps: (1000 * flops) / (measured.rate * speedup * 1e9),
    basis: `${(flops / 1e9).toFixed(1)} GFLOP per step at ~${measured.rate} GFLOP/s (${measured.source})${parallel}`,
  }
}
