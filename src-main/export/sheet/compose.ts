// From a run and the user's options to a finished sheet: resolve defaults
// (checkpoint, classes, weights, seed), refuse what cannot be drawn, ask for
// the samples, lay them out with their labels and render. Sampling is
// injected, so the studio (inspection worker) and tests share this code.
import {
  DEFAULT_PER_CLASS,
  bestCheckpoint,
  defaultCheckpointStep,
  fileSlug,
  notKeptMessage,
  MAX_SHEET_IMAGES,
  SHEET_MIME,
  type CheckpointInfo,
  type ResolvedSheetOptions,
  type SheetResult,
} from '../../../src-shared/export'
import { StudioError } from '../../../src-shared/errors'
import { extractorLabel, selectionMetric, selectionMetricName, type MetricValue, type SelectionMetric } from '../../../src-shared/metrics'
import type { RunConfig } from '../../../src-shared/run-config'
import { APP_VERSION } from '../../../src-shared/version'
import { gridCell } from '../sample-grid'
import { layoutSheet, sheetTexts, type SheetLayout, type SheetLayoutInput } from './layout'
import { measureTexts } from './text-metrics'
import { sheetLatents } from './latents'
import { renderSheet } from './render'

export interface SheetRun {
  /** Run id, or the exported generator's folder name. */
  id: string
  name: string
  /** The header's settings part, e.g. "Fashion-MNIST, 32 px · quick / sagan". */
  settings: string
  config: Pick<RunConfig, 'numClasses' | 'zDim' | 'channels' | 'seed'> & { imageSize: number; ema: Pick<RunConfig['ema'], 'enabled'> }
  classNames: string[]
  /** Kept checkpoints, oldest first. */
  checkpoints: CheckpointInfo[]
  metrics: MetricValue[]
}

/** [count, S, S, C] uint8 images of the generator saved at `step`. */
type SampleAt = (step: number, z: Float32Array, labels: Int32Array, weights: 'raw' | 'ema') => Promise<Uint8Array>

/** A timeline shows at most this many checkpoints, spread from first to last. */
const MAX_TIMELINE_STEPS = 16

export async function composeSheet(run: SheetRun, o: ResolvedSheetOptions, sampleAt: SampleAt): Promise<SheetResult> {
  const { config } = run
  const conditional = config.numClasses > 0
  const weights = o.weights ?? (config.ema.enabled ? 'ema' : 'raw')
  if (weights === 'ema' && !config.ema.enabled)
    throw new StudioError('invalid-argument', 'This run keeps no EMA weights (ema.enabled is off); export the raw weights.', 'weights')
  const classes = resolveClasses(run, o.classes)
  const steps = o.kind === 'timeline' ? timelineSteps(run, o.steps) : [resolveStep(run, o.step)]
  const perClass = o.perClass ?? DEFAULT_PER_CLASS[o.kind]
  const seed = o.seed ?? config.seed
  const latents = sheetLatents({ config, kind: o.kind, classes, perClass, frames: o.frames, seed, truncation: o.truncation })
  const total = latents.labels.length * steps.length
  if (total > MAX_SHEET_IMAGES) {
    throw new StudioError(
      'invalid-argument',
      `That sheet needs ${total} images; the limit is ${MAX_SHEET_IMAGES}. Use fewer classes, samples per class${o.kind === 'timeline' ? ' or checkpoints' : ''}.`,
      'perClass',
    )
  }

  // Laid out before sampling, so a sheet too large is refused at once.
  const { imageSize: size, channels } = config
  const columns = o.kind === 'timeline' ? steps.length : latents.columns
  const cell = o.cell ?? gridCell(size)
  if (cell < size) throw new StudioError('invalid-argument', `The cell (${cell} px) is smaller than the images (${size} px).`, 'cell')
  const layout = await sheetLayout({
    rows: latents.rows,
    columns,
    cell,
    padding: o.padding,
    rowLabels:
      o.labels && conditional
        ? latents.rowClasses.map((c, row) => (row > 0 && latents.rowClasses[row - 1] === c ? '' : (run.classNames[c ?? 0] ?? `class ${c}`)))
        : null,
    columnLabels: o.labels && o.kind === 'timeline' ? steps.map((s) => `step ${s}`) : null,
    header: o.header ? sheetHeader(run, o, steps, weights) : null,
    footer: o.footer ? sheetFooter(run, o, seed) : null,
  })

  const perStep: Uint8Array[] = []
  for (const step of steps) perStep.push(await sampleAt(step, latents.z, latents.labels, weights))
  const pixels = size * size * channels
  // A timeline's columns are checkpoints: cell (row, j) is row's image at step j.
  const images = o.kind === 'timeline' ? new Uint8Array(latents.rows * columns * pixels) : perStep[0]
  if (o.kind === 'timeline') {
    for (let row = 0; row < latents.rows; row++) {
      steps.forEach((_, j) => images.set(perStep[j].subarray(row * pixels, (row + 1) * pixels), (row * columns + j) * pixels))
    }
  }
  const bytes = await renderSheet({
    layout,
    cells: { images, size, channels },
    rows: latents.rows,
    columns,
    background: o.background,
    format: o.format,
    quality: o.quality,
  })
  const stepPart = steps.length === 1 ? `step${steps[0]}` : `steps${steps[0]}-${steps[steps.length - 1]}`
  return {
    bytes,
    format: o.format,
    mime: SHEET_MIME[o.format],
    width: layout.width,
    height: layout.height,
    fileName: `${fileSlug(run.name)}-${o.kind}-${stepPart}.${o.format === 'jpeg' ? 'jpg' : o.format}`,
    steps,
    weights,
    seed,
  }
}

async function sheetLayout(input: SheetLayoutInput): Promise<SheetLayout> {
  const measure = await measureTexts(sheetTexts(input))
  try {
    return layoutSheet(input, measure)
  } catch (err) {
    throw err instanceof RangeError ? new StudioError('invalid-argument', err.message, 'cell') : err
  }
}

function resolveClasses(run: SheetRun, picked: number[] | undefined): number[] {
  const n = run.config.numClasses
  if (n === 0) {
    if (picked) throw new StudioError('invalid-argument', 'This run is unconditional: it has no classes to pick.', 'classes')
    return [0]
  }
  const bad = picked?.find((c) => c >= n)
  if (bad !== undefined)
    throw new StudioError('invalid-argument', `There is no class ${bad}: this run has ${n} classes (0-${n - 1}: ${run.classNames.join(', ')}).`, 'classes')
  return picked ?? Array.from({ length: n }, (_, i) => i)
}

function keptSteps(run: SheetRun): number[] {
  if (run.checkpoints.length === 0)
    throw new StudioError('not-found', `Run "${run.name}" has no checkpoint yet: sheets are drawn from saved generators.`, run.id)
  return run.checkpoints.map((c) => c.step)
}

/** The asked step, or the best checkpoint (by intra-FID, or FID when unconditional), else the newest. */
function resolveStep(run: SheetRun, step: number | undefined): number {
  const kept = keptSteps(run)
  if (step === undefined) return defaultCheckpointStep(run.checkpoints)!
  if (!kept.includes(step)) throw new StudioError('invalid-argument', notKeptMessage([step], kept), 'step')
  return step
}

function timelineSteps(run: SheetRun, steps: number[] | undefined): number[] {
  const kept = keptSteps(run)
  if (steps) {
    const missing = steps.filter((s) => !kept.includes(s))
    if (missing.length > 0) throw new StudioError('invalid-argument', notKeptMessage(missing, kept), 'steps')
    return [...steps].sort((a, b) => a - b)
  }
  if (kept.length <= MAX_TIMELINE_STEPS) return kept
  const picks = new Set(Array.from({ length: MAX_TIMELINE_STEPS }, (_, i) => kept[Math.round((i * (kept.length - 1)) / (MAX_TIMELINE_STEPS - 1))]))
  return [...picks]
}

function sheetHeader(run: SheetRun, o: ResolvedSheetOptions, steps: number[], weights: 'raw' | 'ema'): { title: string; detail: string } {
  const at = steps.length === 1 ? `step ${steps[0]}` : `steps ${steps[0]}-${steps[steps.length - 1]}`
  const parts = [
    steps.length === 1 ? scoreText(run, steps[0]) : '',
    `${weights === 'ema' ? 'EMA' : 'raw'} weights`,
    o.truncation === undefined ? 'no truncation' : `truncation ${o.truncation}`,
    run.settings,
  ]
  return { title: `${run.name} · ${at}`, detail: parts.filter(Boolean).join(' · ') }
}

/** "intra-FID 5.74, FID 3.18 (dataset classifier features, 2000 samples), best by intra-FID", or why there is none. */
function scoreText(run: SheetRun, step: number): string {
  const metric = selectionMetric(run.config.numClasses)
  const names: SelectionMetric[] = metric === 'fid' ? ['fid'] : ['intra_fid', 'fid']
  const found = names.flatMap((name) => run.metrics.filter((m) => m.name === name && m.step === step).slice(0, 1))
  if (found.length === 0) return `${selectionMetricName(metric)} not computed at this step`
  const values = found.map((m) => `${selectionMetricName(m.name as SelectionMetric)} ${m.value.toFixed(2)}`).join(', ')
  const isBest = bestCheckpoint(run.checkpoints)?.step === step
  return `${values} (${extractorLabel(found[0].extractor)}, ${found[0].nFake} samples)${isBest ? `, best by ${selectionMetricName(metric)}` : ''}`
}

function sheetFooter(run: SheetRun, o: ResolvedSheetOptions, seed: number): string {
  const what =
    o.kind === 'interp' ? `spherical interpolation, ${o.frames} frames` : o.kind === 'timeline' ? 'same latents at each checkpoint' : 'random latents'
  return `seed ${seed} · ${what} · run ${run.id} · SAGAN Studio ${APP_VERSION}`
}
