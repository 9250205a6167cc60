import { describe, expect, test } from 'vitest'
import type { GpuAdapterReport } from './contract'
import { ABLATIONS, AUGMENT_BELOW_IMAGES, PRESETS, RunConfigSchema, adapterLabel, backendLabel, buildRunConfig } from './run-config'

describe('run config', () => {
  test('an empty object parses to the paper-default optimiser settings', () => {
    const c = RunConfigSchema.parse({})
    expect(c).toMatchObject({ lrG: 1e-4, lrD: 4e-4, beta1: 0, beta2: 0.9, nDis: 1, snG: true, snD: true })
    expect(c.ema).toEqual({ enabled: true, decay: 0.999, startStep: 500 })
  })

  test('every preset combined with every ablation builds a valid config', () => {
    for (const preset of Object.keys(PRESETS) as (keyof typeof PRESETS)[]) {
      for (const ablation of Object.keys(ABLATIONS) as (keyof typeof ABLATIONS)[]) {
        const c = buildRunConfig(preset, ablation, { numClasses: 10, channels: 1 })
        expect(c.preset).toBe(preset)
        expect(c.ablation).toBe(ablation)
        expect(c.numClasses).toBe(10)
      }
    }
  })

  test('ablations change exactly the settings the paper varied', () => {
    expect(buildRunConfig('quick', 'no-attention').gAttention).toEqual([])
    expect(buildRunConfig('quick', 'residual-instead-of-attention').attentionBlock).toBe('residual')
    const snD = buildRunConfig('quick', 'sn-d-only')
    expect([snD.snG, snD.snD, snD.lrG, snD.lrD]).toEqual([false, true, 1e-4, 1e-4])
    const noTtur = buildRunConfig('quick', 'no-ttur')
    expect([noTtur.snG, noTtur.lrG, noTtur.lrD]).toEqual([true, 1e-4, 1e-4])
  })

  test('a stored config from before augmentation existed parses with it off (it trained without)', () => {
    const stored = { ...buildRunConfig('quick') } as Record<string, unknown>
    delete stored.augment
    expect(RunConfigSchema.parse(stored).augment).toMatchObject({ policy: 'off', adaptive: false })
  })

  test('DiffAugment is on for datasets below the threshold, off above it, and off in the no-augmentation ablation', () => {
    expect(buildRunConfig('quick', 'sagan', {}, { images: 1200 }).augment).toMatchObject({
      policy: 'diffaugment',
      ops: ['color', 'translation', 'cutout'],
      p: 1,
    })
    expect(buildRunConfig('quick', 'sagan', {}, { images: AUGMENT_BELOW_IMAGES }).augment.policy).toBe('off')
    expect(buildRunConfig('quick', 'no-augmentation', {}, { images: 1200 }).augment.policy).toBe('off')
    // the user's choice wins over the dataset's default
    expect(buildRunConfig('quick', 'sagan', { augment: { policy: 'off' } }, { images: 1200 }).augment.policy).toBe('off')
    expect(buildRunConfig('quick', 'sagan', { augment: { adaptive: true } }, { images: 1200 }).augment).toMatchObject({
      policy: 'diffaugment',
      adaptive: true,
      target: 0.6,
    })
  })

  test('overrides of a nested setting keep the preset values beside it', () => {
    const c = buildRunConfig('standard', 'sagan', { ema: { decay: 0.99 } })
    expect(c.ema).toEqual({ enabled: true, decay: 0.99, startStep: 2000 })
  })

  test('attention at a resolution no block outputs is refused with the allowed ones named', () => {
    const r = RunConfigSchema.safeParse({ imageSize: 32, gAttention: [64] })
    expect(r.success).toBe(false)
    expect(r.error?.issues[0].message).toContain('choose from 8, 16, 32')
  })

  test('the backend label names replicas, or the GPU with its vendor, architecture, driver and whether it is software', () => {
    const llvmpipe: GpuAdapterReport = {
      vendor: '',
      architecture: '',
      device: 'llvmpipe-llvm-15-0-6-256-bits',
      description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6',
      api: 'opengles',
      software: true,
      limits: { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 31 },
    }
    expect(backendLabel('wasm', 1)).toBe('wasm')
    expect(backendLabel('wasm', 2)).toBe('wasm × 2')
    expect(backendLabel('webgpu', 1, llvmpipe)).toBe('webgpu on llvmpipe-llvm-15-0-6-256-bits (OpenGL version OpenGL ES 3.2 Mesa 22.3.6; software)')
    expect(adapterLabel({ ...llvmpipe, vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M2', api: 'native', software: false })).toBe(
      'Apple M2 (apple, metal-3)',
    )
  })

  test('every count has an upper bound: a huge value of any field is refused by name', () => {
    const defaults = RunConfigSchema.parse({})
    const huge = 1e15
    for (const [key, value] of Object.entries(defaults)) {
      const tries =
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? Object.keys(value).map((inner) => ({ [key]: { ...value, [inner]: huge } }))
          : [{ [key]: huge }]
      for (const overrides of tries) {
        const r = RunConfigSchema.safeParse({ ...defaults, ...overrides })
        expect(r.success, JSON.stringify(overrides)).toBe(false)
        expect(r.error?.issues[0].path[0]).toBe(key)
      }
    }
    expect(RunConfigSchema.safeParse({ evalSamples: 1e9 }).error?.issues[0].message).toMatch(/50000|50,000/)
  })
})
