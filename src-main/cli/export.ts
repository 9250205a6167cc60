// `export RUN_ID --out FILE`: the export dialog's options as flags, checked by
// the same schema the UI's calls are, then written where the user said.
import { writeFileSync } from 'node:fs'
import { InvalidArgumentError } from 'commander'
import { SHEET_FORMATS, formatOfFileName, type SheetFormat, type SheetKind, type SheetOptions, type SheetResult } from '../../src-shared/export'

export interface ExportFlags {
  out: string
  sheet: SheetKind
  step?: number
  steps?: string
  classes?: string
  perClass?: number
  frames?: number
  seed?: number
  ema?: boolean
  raw?: boolean
  truncation?: number
  cell?: number
  padding?: number
  background?: string
  labels: boolean
  header: boolean
  footer: boolean
  quality?: number
}

export function formatFromPath(path: string): SheetFormat {
  const format = formatOfFileName(path)
  if (!format) throw new InvalidArgumentError(`--out ${path}: the file name must end in .png, .jpg or .webp (formats: ${SHEET_FORMATS.join(', ')})`)
  return format
}

/**
 * "Sneaker,Bag" or "7,8": indices, or class names in any case; a name may be
 * any unique part of a folder name ("sneaker" finds "7-Sneaker").
 */
export function parseClasses(text: string, classNames: string[]): number[] {
  const known = classNames.join(', ') || 'none (unconditional)'
  return text.split(',').map((raw) => {
    const item = raw.trim()
    if (/^\d+$/.test(item)) return Number(item)
    const lower = item.toLowerCase()
    const exact = classNames.findIndex((n) => n.toLowerCase() === lower)
    if (exact >= 0) return exact
    const partial = classNames.flatMap((n, i) => (n.toLowerCase().includes(lower) ? [i] : []))
    if (partial.length === 1) return partial[0]
    if (partial.length > 1) throw new InvalidArgumentError(`--classes: "${item}" matches ${partial.map((i) => classNames[i]).join(', ')}; be more specific`)
    throw new InvalidArgumentError(`--classes: no class named "${item}"; the run's classes are ${known}`)
  })
}

export function sheetOptionsFromFlags(f: ExportFlags, classNames: string[]): SheetOptions {
  if (f.ema && f.raw) throw new InvalidArgumentError('--ema and --raw: pick one')
  const options: SheetOptions = {
    kind: f.sheet,
    step: f.step,
    steps: f.steps?.split(',').map((s) => Number(s.trim())),
    classes: f.classes === undefined ? undefined : parseClasses(f.classes, classNames),
    perClass: f.perClass,
    frames: f.frames,
    seed: f.seed,
    weights: f.ema ? 'ema' : f.raw ? 'raw' : undefined,
    truncation: f.truncation,
    cell: f.cell,
    padding: f.padding,
    background: f.background,
    labels: f.labels,
    header: f.header,
    footer: f.footer,
    format: formatFromPath(f.out),
    quality: f.quality,
  }
  // Unset flags leave the service's defaults in place.
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as SheetOptions
}

export function writeSheet(path: string, sheet: SheetResult): string {
  writeFileSync(path, sheet.bytes)
  const at = sheet.steps.length === 1 ? `step ${sheet.steps[0]}` : `steps ${sheet.steps.join(', ')}`
  return `wrote ${path} (${sheet.width} x ${sheet.height} ${sheet.format}, ${at}, ${sheet.weights === 'ema' ? 'EMA' : 'raw'} weights, seed ${sheet.seed})`
}
