import { describe, expect, it } from 'vitest'
import { checkAdvanced, presetValue } from './run-form'

const form = (values: Record<string, string>, ema = true) => ({ values, ema })

describe('advanced run settings', () => {
  it('augmentation: auto follows the dataset size (the studio decides at start), the other choices override it', () => {
    const small = { images: 1200 }
    const form = (augment: 'auto' | 'off' | 'diffaugment' | 'adaptive') => ({ values: {}, ema: true, augment })
    expect(checkAdvanced('quick', 'sagan', form('auto'), small)).toMatchObject({ overrides: {}, config: { augment: { policy: 'diffaugment' } } })
    expect(checkAdvanced('quick', 'sagan', form('auto'), { images: 50_000 }).config.augment.policy).toBe('off')
    expect(checkAdvanced('quick', 'sagan', form('off'), small).config.augment.policy).toBe('off')
    expect(checkAdvanced('quick', 'sagan', form('adaptive')).config.augment).toMatchObject({ policy: 'diffaugment', adaptive: true })
    expect(checkAdvanced('quick', 'no-augmentation', form('auto'), small).config.augment.policy).toBe('off')
  })

  it('empty fields keep the preset and produce no overrides', () => {
    const check = checkAdvanced('quick', 'sagan', form({}))
    expect(check.errors).toEqual({})
    expect(check.overrides).toEqual({})
    expect(presetValue(check.config, 'steps')).toBe('700')
    expect(presetValue(check.config, 'checkpointEvery.steps')).toBe('200')
  })

  it('typed values become run-config overrides, nested ones included', () => {
    const check = checkAdvanced('quick', 'sagan', form({ steps: '4', batchSize: '8', sampleEvery: '2', 'checkpointEvery.steps': '2', lrD: '2e-4' }, false))
    expect(check.errors).toEqual({})
    expect(check.overrides).toEqual({ steps: 4, batchSize: 8, sampleEvery: 2, checkpointEvery: { steps: 2 }, lrD: 2e-4, ema: { enabled: false } })
    expect(check.config).toMatchObject({ steps: 4, batchSize: 8, checkpointEvery: { steps: 2, minutes: 10 }, ema: { enabled: false } })
  })

  it('out-of-range values are named per field in plain words, from the engine schema', () => {
    const check = checkAdvanced('quick', 'sagan', form({ steps: '0', batchSize: '0', lrG: '0', beta2: '1', 'checkpointEvery.steps': '0' }))
    expect(check.errors).toEqual({
      steps: 'must be at least 1',
      batchSize: 'must be at least 1',
      lrG: 'must be more than 0',
      beta2: 'must be at most 0.9999',
      'checkpointEvery.steps': 'must be at least 1',
    })
  })

  it('text and fractions where whole numbers belong are refused before the schema sees them', () => {
    const check = checkAdvanced('standard', 'no-ttur', form({ seed: '1.5', steps: 'many' }))
    expect(check.errors).toEqual({ seed: 'enter a whole number', steps: 'enter a number' })
    expect(check.config.preset).toBe('standard')
  })

  it('replicas take "auto" or a divisor of the batch size, and say which', () => {
    expect(presetValue(checkAdvanced('quick', 'sagan', form({})).config, 'replicas')).toBe('auto')
    expect(checkAdvanced('quick', 'sagan', form({ replicas: 'auto' })).overrides).toEqual({ replicas: 'auto' })
    expect(checkAdvanced('quick', 'sagan', form({ replicas: '2', batchSize: '16' })).config).toMatchObject({ replicas: 2, batchSize: 16 })
    expect(checkAdvanced('quick', 'sagan', form({ replicas: '3', batchSize: '16' })).errors).toEqual({
      replicas: "replicas: batchSize 16 does not split into 3 equal shares; choose a divisor of the batch size or 'auto'",
    })
    expect(checkAdvanced('quick', 'sagan', form({ replicas: 'many' })).errors).toEqual({ replicas: 'enter a number or auto' })
  })
})
