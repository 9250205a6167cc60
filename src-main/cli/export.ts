// `export RUN_ID --out FILE`: the export dialog's options as flags, checked by
// the same schema the UI's calls are, then written where the user said. Also
// the generator export (--model) and sheets from an exported one (--from-model).
import { writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { InvalidArgumentError } from 'commander'
import {
  SHEET_FORMATS,
  SheetOptionsSchema,
  formatOfFileName,
  type ModelExport,
  type SheetFormat,
  type SheetKind,
  type SheetOptions,
  type SheetResult,
} from '../../src-shared/export'
import { initBackend } from '../engine/backend'
import { loadGeneratorModel } from '../export/model'
import { composeSheet, type SheetRun } from '../export/sheet/compose'

/** Exported generators carry no run seed: sheets from them default to this one. */
const DEFAULT_SEED = 1

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

function formatFromPath(path: string): SheetFormat {
  const format = formatOfFileName(path)
  if (!format) throw new InvalidArgumentError(`--out ${path}: the file name must end in .png, .jpg or .webp (formats: ${SHEET_FORMATS.join(', ')})`)
  return format
}

/**
 * "Sneaker,Bag" or "7,8": indices, or class names in any case; a name may be
 * any unique part of a folder name ("sneaker" finds "7-Sneaker").
 */
function parseClasses(text: string, classNames: string[]): number[] {
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

export function formatModelExport(m: ModelExport): string {
  return `wrote the generator of step ${m.step} to ${m.dir} (${m.files.length} files; see ${join(m.dir, 'HOW-TO-SAMPLE.md')})`
}

/** `export --from-model DIR --out FILE`: a sheet from an exported generator, no run or database needed. */
export async function sheetFromModel(dir: string, out: string, flags: Omit<ExportFlags, 'out'>): Promise<string> {
  await initBackend('auto')
  const generator = await loadGeneratorModel(dir)
  try {
    const { meta } = generator
    const run: SheetRun = {
      id: basename(dir),
      name: meta.runName,
      settings: `exported generator, ${meta.imageSize} px`,
      config: {
        numClasses: meta.classes.length,
        zDim: meta.zDim,
        imageSize: meta.imageSize,
        channels: meta.channels,
        seed: DEFAULT_SEED,
        ema: { enabled: meta.weights.includes('ema') },
      },
      classNames: meta.classes,
      checkpoints: [{ step: meta.step, bytes: 0, score: null, reason: 'exported' }],
      metrics: [],
    }
    const options = SheetOptionsSchema.parse(sheetOptionsFromFlags({ ...flags, out }, meta.classes))
    return writeSheet(out, await composeSheet(run, options, (_step, z, labels, weights) => generator.sample(z, labels, weights)))
  } finally {
    generator.dispose()
  }
}
