import { describe, expect, it } from 'vitest'
import { buildRunConfig } from '../../../src-shared/run-config'
import type { GpuAdapterReport } from '../../../src-shared/contract'
import { estimateRun } from './run-estimate'

describe('run estimate before start', () => {
  it('the quick preset fits the wasm heap and costs minutes per 1000 steps, saying how that was estimated', () => {
    const e = estimateRun(buildRunConfig('quick', 'sagan', { channels: 1, numClasses: 10 }), 'wasm')
    expect(e.fits).toBe(true)
    expect(e.advice).toBeNull()
    expect(e.memoryBytes).toBeLessThan(e.limitBytes)
    expect(e.secondsPer1000Steps).toBeGreaterThan(60)
    expect(e.basis).toMatch(/GFLOP per step.*bench:train/)
  })

  it('the paper preset does not fit the wasm heap and says what to lower', () => {
    const e = estimateRun(buildRunConfig('paper', 'sagan', { channels: 3, numClasses: 10 }), 'wasm')
    expect(e.fits).toBe(false)
    expect(e.advice).toMatch(/batch|width|gCh|image size/i)
  })

  it('a run without attention costs less than the same run with it', () => {
    const base = { channels: 3 as const, numClasses: 10 }
    const sagan = estimateRun(buildRunConfig('standard', 'sagan', base), 'wasm')
    const none = estimateRun(buildRunConfig('standard', 'no-attention', base), 'wasm')
    expect(none.flopsPerStep).toBeLessThan(sagan.flopsPerStep)
    expect(none.memoryBytes).toBeLessThan(sagan.memoryBytes)
  })

  it('replicas share the batch: each needs less memory and the step is estimated faster, saying so', () => {
    const config = buildRunConfig('quick', 'sagan', { channels: 3, numClasses: 10 })
    const one = estimateRun({ ...config, replicas: 1 }, 'wasm')
    const two = estimateRun(config, 'wasm', 2)
    expect(one).toMatchObject({ backend: 'wasm', replicas: 1 })
    expect(two).toMatchObject({ backend: 'wasm × 2', replicas: 2 })
    expect(two.memoryBytes).toBeLessThan(one.memoryBytes)
    expect(two.memoryBytes).toBeGreaterThan(one.memoryBytes / 2) // every replica holds all the weights
    expect(two.secondsPer1000Steps).toBeCloseTo(one.secondsPer1000Steps / 1.6, 6)
    expect(two.basis).toMatch(/x1\.6 for 2 replicas: one per core on 2 cores/)
    expect(estimateRun(config, 'tensorflow', 8)).toMatchObject({ replicas: 1, backend: 'tensorflow' })
  })

  it('on webgpu: one trainer, the adapter named, the largest tensor checked against its buffer limit', () => {
    const adapter: GpuAdapterReport = {
      vendor: 'nvidia',
      architecture: 'ampere',
      device: 'NVIDIA GeForce RTX 3060',
      description: 'Vulkan driver 550',
      api: 'native',
      software: false,
      limits: { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 32 },
    }
    const e = estimateRun(buildRunConfig('quick', 'sagan', { channels: 3, numClasses: 10 }), 'webgpu', 2, adapter)
    expect(e).toMatchObject({ replicas: 1, fits: true, backend: 'webgpu on NVIDIA GeForce RTX 3060 (nvidia, ampere, Vulkan driver 550)' })
    expect(e.gpuBuffer).toMatchObject({ limitBytes: 2 ** 31 })
    expect(e.gpuBuffer!.largestBytes).toBeGreaterThan(0)
    expect(e.basis).toMatch(/not measured/)
  })
})
