// The New run form's advanced settings: text fields the user typed, turned
// into run-config overrides and checked against the SAME schema the engine
// trains from (buildRunConfig), so the form and the service never disagree.
import { ZodError } from 'zod'
import {
  AUGMENT_BELOW_IMAGES,
  BACKEND_PREFERENCES,
  buildRunConfig,
  type AblationName,
  type DatasetFacts,
  type PresetName,
  type RunConfig,
  type RunConfigInput,
} from '../../../src-shared/run-config'

export interface AdvancedField {
  /** Dotted run-config path, e.g. "checkpointEvery.steps". */
  key: string
  label: string
  hint: string
  integer: boolean
  /** Words accepted besides numbers, e.g. "auto". */
  words?: string[]
  /** Only the words: no number is accepted. */
  wordsOnly?: boolean
}

export const ADVANCED_FIELDS: AdvancedField[] = [
  { key: 'steps', label: 'Steps', hint: 'generator updates to train', integer: true },
  { key: 'batchSize', label: 'Batch size', hint: 'images per step', integer: true },
  { key: 'replicas', label: 'Replicas', hint: 'threads sharing each batch; auto = one per core on wasm', integer: true, words: ['auto'] },
  {
    key: 'backend',
    label: 'Backend',
    hint: 'auto, or webgpu (a GPU; also a software one), wasm, cpu, tensorflow',
    integer: false,
    words: [...BACKEND_PREFERENCES],
    wordsOnly: true,
  },
  { key: 'seed', label: 'Seed', hint: 'weights, data order and sample noise', integer: true },
  { key: 'sampleEvery', label: 'Sample every', hint: 'steps between sample sheets', integer: true },
  { key: 'checkpointEvery.steps', label: 'Checkpoint every', hint: 'steps between checkpoints', integer: true },
  { key: 'evalEvery', label: 'FID every', hint: 'steps between FID/KID evaluations; 0 = never', integer: true },
  { key: 'evalSamples', label: 'FID samples', hint: 'generated images per evaluation (at least 100)', integer: true },
  { key: 'lrG', label: 'Learning rate G', hint: 'paper (TTUR): 0.0001', integer: false },
  { key: 'lrD', label: 'Learning rate D', hint: 'paper (TTUR): 0.0004', integer: false },
  { key: 'beta2', label: 'Adam β2', hint: 'paper: 0.9 (β1 = 0)', integer: false },
]

/** Field key -> what the user typed; an empty string keeps the preset's value. */
export type AdvancedValues = Record<string, string>

/** auto: DiffAugment when the dataset has fewer than AUGMENT_BELOW_IMAGES images (the studio decides at start). */
export type AugmentChoice = 'auto' | 'off' | 'diffaugment' | 'adaptive'

export const AUGMENT_CHOICES: { value: AugmentChoice; label: string }[] = [
  { value: 'auto', label: `Auto: DiffAugment below ${AUGMENT_BELOW_IMAGES.toLocaleString('en')} images` },
  { value: 'off', label: 'Off' },
  { value: 'diffaugment', label: 'DiffAugment (colour, translation, cutout)' },
  { value: 'adaptive', label: 'DiffAugment, adaptive p (ADA, target r_t 0.6)' },
]

const AUGMENT_OVERRIDES: Record<AugmentChoice, Partial<RunConfigInput>> = {
  auto: {},
  off: { augment: { policy: 'off' } },
  diffaugment: { augment: { policy: 'diffaugment', adaptive: false } },
  adaptive: { augment: { policy: 'diffaugment', adaptive: true } },
}

export interface AdvancedForm {
  values: AdvancedValues
  ema: boolean
  augment?: AugmentChoice
}

export interface FormCheck {
  overrides: Partial<RunConfigInput>
  /** Field key -> message; empty when the settings are valid. */
  errors: Record<string, string>
  /** The config these settings would train with (the preset's when invalid). */
  config: RunConfig
}

/** The value a field shows as its placeholder: what the preset and ablation give. */
export function presetValue(config: RunConfig, key: string): string {
  const value = key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], config)
  return String(value)
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const [head, tail] = key.split('.')
  if (tail === undefined) target[head] = value
  else target[head] = { ...(target[head] as object), [tail]: value }
}

/** dataset: what the checked dataset says (its size decides 'auto' augmentation), when there is one. */
export function checkAdvanced(preset: PresetName, ablation: AblationName, form: AdvancedForm, dataset?: DatasetFacts): FormCheck {
  const errors: Record<string, string> = {}
  const overrides: Record<string, unknown> = {}
  for (const field of ADVANCED_FIELDS) {
    const text = (form.values[field.key] ?? '').trim()
    if (text === '') continue
    if (field.words?.includes(text)) {
      setPath(overrides, field.key, text)
      continue
    }
    const value = Number(text)
    if (field.wordsOnly) errors[field.key] = `choose one of ${field.words?.join(', ')}`
    else if (!Number.isFinite(value)) errors[field.key] = field.words ? `enter a number or ${field.words.join(' / ')}` : 'enter a number'
    else if (field.integer && !Number.isInteger(value)) errors[field.key] = 'enter a whole number'
    else setPath(overrides, field.key, value)
  }
  const base = buildRunConfig(preset, ablation, {}, dataset)
  if (form.ema !== base.ema.enabled) setPath(overrides, 'ema.enabled', form.ema)
  Object.assign(overrides, AUGMENT_OVERRIDES[form.augment ?? 'auto'])
  let config = base
  try {
    config = buildRunConfig(preset, ablation, overrides as Partial<RunConfigInput>, dataset)
  } catch (err) {
    if (!(err instanceof ZodError)) throw err
    for (const issue of err.issues) {
      const key = issue.path.join('.')
      errors[key] ??= friendly(issue.message)
    }
  }
  return { overrides: overrides as Partial<RunConfigInput>, errors, config }
}

/** zod says "Too small: expected number to be >=1"; the form says "must be at least 1". */
function friendly(message: string): string {
  const small = /Too small: expected number to be >(=?)(\S+)/.exec(message)
  if (small) return small[1] ? `must be at least ${small[2]}` : `must be more than ${small[2]}`
  const big = /Too big: expected number to be <(=?)(\S+)/.exec(message)
  if (big) return big[1] ? `must be at most ${big[2]}` : `must be less than ${big[2]}`
  return message
}
