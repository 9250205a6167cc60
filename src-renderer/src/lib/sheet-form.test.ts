import { describe, expect, it } from 'vitest'
import { checkSheetForm, defaultSheetForm, sheetOptions } from './sheet-form'

describe('the export form', () => {
  it('leaves empty fields to the service defaults and sends only what applies to the sheet kind', () => {
    const form = defaultSheetForm(true)
    expect(sheetOptions(form)).toEqual({
      kind: 'grid',
      weights: 'ema',
      padding: 4,
      background: '#ffffff',
      labels: true,
      header: true,
      footer: true,
      format: 'png',
    })
    expect(checkSheetForm(form)).toEqual({ valid: true, errors: {} })
    const timeline = sheetOptions({ ...form, kind: 'timeline', step: '40', steps: [30, 10], frames: '5', format: 'webp', quality: '80' })
    expect(timeline).toMatchObject({ kind: 'timeline', steps: [10, 30], quality: 80 })
    expect(timeline).not.toHaveProperty('step')
    expect(timeline).not.toHaveProperty('frames')
    expect(sheetOptions({ ...form, kind: 'interp', frames: '5', classes: [3, 1], seed: '9', truncation: '0.5' })).toMatchObject({
      frames: 5,
      classes: [3, 1],
      seed: 9,
      truncation: 0.5,
    })
  })

  it('puts each mistake beside its field before anything is drawn', () => {
    const check = checkSheetForm({ ...defaultSheetForm(false), perClass: '0', seed: 'abc', cell: '4', background: 'red' })
    expect(check.valid).toBe(false)
    expect(Object.keys(check.errors).sort()).toEqual(['background', 'cell', 'perClass', 'seed'])
    expect(check.errors.seed).toBe('a number')
    expect(check.errors.background).toBe('a colour like #ffffff')
  })
})
