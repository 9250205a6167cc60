// The export dialog's form: text fields as the user types them, turned into
// SheetOptions and checked with the same schema the service applies, so
// mistakes show beside their field before anything is drawn.
import { SheetOptionsSchema, type SheetFormat, type SheetKind, type SheetOptions } from '../../../src-shared/export'

export interface SheetForm {
  kind: SheetKind
  /** '' = the default checkpoint (best by FID, else newest). */
  step: string
  /** Timeline columns; empty = every kept checkpoint. */
  steps: number[]
  /** Rows in order; null = every class. */
  classes: number[] | null
  perClass: string
  frames: string
  seed: string
  weights: 'raw' | 'ema'
  truncation: string
  cell: string
  padding: string
  background: string
  labels: boolean
  header: boolean
  footer: boolean
  format: SheetFormat
  quality: string
}

export function defaultSheetForm(hasEma: boolean): SheetForm {
  return {
    kind: 'grid',
    step: '',
    steps: [],
    classes: null,
    perClass: '',
    frames: '8',
    seed: '',
    weights: hasEma ? 'ema' : 'raw',
    truncation: '',
    cell: '',
    padding: '4',
    background: '#ffffff',
    labels: true,
    header: true,
    footer: true,
    format: 'png',
    quality: '92',
  }
}

/** '' stays unset; anything else must be a number (the schema checks its range). */
function num(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text)
}

export function sheetOptions(f: SheetForm): SheetOptions {
  const options: SheetOptions = {
    kind: f.kind,
    step: f.kind === 'timeline' ? undefined : num(f.step),
    steps: f.kind === 'timeline' && f.steps.length > 0 ? [...f.steps].sort((a, b) => a - b) : undefined,
    classes: f.classes ?? undefined,
    perClass: num(f.perClass),
    frames: f.kind === 'interp' ? num(f.frames) : undefined,
    seed: num(f.seed),
    weights: f.weights,
    truncation: num(f.truncation),
    cell: num(f.cell),
    padding: num(f.padding),
    background: f.background,
    labels: f.labels,
    header: f.header,
    footer: f.footer,
    format: f.format,
    quality: f.format === 'png' ? undefined : num(f.quality),
  }
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as SheetOptions
}

/** Problems by field name ('' when none); `valid` when the options can be sent. */
export function checkSheetForm(f: SheetForm): { valid: boolean; errors: Record<string, string> } {
  const parsed = SheetOptionsSchema.safeParse(sheetOptions(f))
  const errors: Record<string, string> = {}
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'options')
      errors[field] ??= issue.code === 'invalid_type' ? 'a number' : issue.message
    }
  }
  return { valid: parsed.success, errors }
}
