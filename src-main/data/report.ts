// The validation report: what will be trained on (per class), what was left
// out and why, and what looks risky. Thresholds are stated here, with why.

import type { ClassSummary, DatasetReport, DatasetSettings, DatasetWarning, SkippedFile } from '../../src-shared/dataset'
import type { DecodedImage } from './decode'
import type { Layout } from './layout'
import { compareCodePoints } from './scan'

/** Below this a GAN mostly memorises its few examples. */
const FEW_IMAGES = 20
/** Largest class over smallest: beyond this the small classes are rarely seen unless sampling is balanced. */
const IMBALANCE_RATIO = 5
/** A short side under imageSize / UPSCALE_FACTOR is blown up more than this factor: blurry training data. */
const UPSCALE_FACTOR = 2

export interface DecodedEntry {
  rel: string
  folderIndex: number
  image: DecodedImage
}

interface ReportInput {
  root: string
  layout: Layout
  settings: DatasetSettings
  fingerprint: string
  /** Files the scan saw (hidden and system files excluded). */
  fileCount: number
  decoded: DecodedEntry[]
  skipped: SkippedFile[]
}

interface BuiltReport {
  report: DatasetReport
  /** Label of each class folder (index into report.classes), or -1 when the folder has no usable image. */
  labelOfFolder: number[]
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)]
}

export function buildReport(input: ReportInput): BuiltReport {
  const { layout, settings, decoded } = input
  const warnings: DatasetWarning[] = []
  const perFolder = layout.classFolders.map(() => [] as DecodedEntry[])
  for (const entry of decoded) perFolder[entry.folderIndex].push(entry)

  const classes: ClassSummary[] = []
  const labelOfFolder = perFolder.map((entries, folder) => {
    const name = layout.classFolders[folder]
    if (entries.length === 0) {
      warnings.push({ code: 'empty-class', class: name, message: `Class folder "${name}" has no usable images; it is not a class of this dataset.` })
      return -1
    }
    classes.push({
      name,
      count: entries.length,
      typicalWidth: median(entries.map((e) => e.image.width)),
      typicalHeight: median(entries.map((e) => e.image.height)),
      channels: entries.every((e) => e.image.channels === 1) ? 1 : 3,
    })
    return classes.length - 1
  })

  if (layout.layout === 'mixed') {
    warnings.push({
      code: 'mixed-layout',
      message:
        'The folder has both class folders and loose images. The loose images are left out; move them into a class folder, or the class folders out, to use them.',
    })
  }
  if (layout.layout !== 'flat' && classes.length === 1) {
    warnings.push({
      code: 'single-class',
      class: classes[0].name,
      message: `Only one class ("${classes[0].name}") has images: training is effectively unconditional.`,
    })
  }
  for (const c of classes) {
    if (c.count < FEW_IMAGES) {
      warnings.push({
        code: 'few-images',
        class: c.name,
        message: `"${c.name}" has only ${c.count} image${c.count === 1 ? '' : 's'}; under ${FEW_IMAGES} the model mostly memorises them.`,
      })
    }
  }
  warnings.push(...imbalanceWarnings(classes))
  warnings.push(...upscaleWarnings(perFolder, layout.classFolders, settings.imageSize))

  const greyCount = decoded.filter((e) => e.image.channels === 1).length
  if (greyCount > 0 && greyCount < decoded.length) {
    warnings.push({
      code: 'grey-and-colour',
      message: `${greyCount} of ${decoded.length} images are grey and the rest colour; all are trained as colour (grey images as R = G = B).`,
    })
  }
  const duplicates = duplicateGroups(decoded)
  if (duplicates.length > 0) {
    const extra = duplicates.reduce((n, g) => n + g.length - 1, 0)
    warnings.push({
      code: 'duplicates',
      message: `${extra} file${extra === 1 ? ' is a copy' : 's are copies'} of another file (${duplicates.length} group${duplicates.length === 1 ? '' : 's'}, first: ${duplicates[0].join(', ')}). Copies weigh those images more in training.`,
    })
  }

  const skipped = [...input.skipped].sort((a, b) => compareCodePoints(a.path, b.path))
  const report: DatasetReport = {
    root: input.root,
    layout: layout.layout,
    classes,
    conditional: layout.layout !== 'flat',
    totals: { files: input.fileCount, images: decoded.length, skipped: skipped.length },
    skipped,
    warnings,
    duplicates,
    trainable: decoded.length > 0,
    channels: decoded.length > 0 && greyCount === decoded.length ? 1 : 3,
    imageSize: settings.imageSize,
    fingerprint: input.fingerprint,
  }
  return { report, labelOfFolder }
}

function imbalanceWarnings(classes: ClassSummary[]): DatasetWarning[] {
  if (classes.length < 2) return []
  const largest = classes.reduce((a, b) => (b.count > a.count ? b : a))
  const smallest = classes.reduce((a, b) => (b.count < a.count ? b : a))
  if (largest.count < IMBALANCE_RATIO * smallest.count) return []
  return [
    {
      code: 'imbalance',
      class: smallest.name,
      message: `Classes are strongly imbalanced: "${largest.name}" has ${largest.count} images, "${smallest.name}" only ${smallest.count}. Consider class-balanced sampling.`,
    },
  ]
}

function upscaleWarnings(perFolder: DecodedEntry[][], names: string[], imageSize: number): DatasetWarning[] {
  return perFolder.flatMap((entries, folder) => {
    const small = entries.filter((e) => Math.min(e.image.width, e.image.height) * UPSCALE_FACTOR < imageSize).length
    if (small === 0) return []
    return [
      {
        code: 'upscaled' as const,
        class: names[folder],
        message: `${small} of ${entries.length} images in "${names[folder]}" are less than half the training size (${imageSize} px) and will be upscaled, so they train blurry.`,
      },
    ]
  })
}

function duplicateGroups(decoded: DecodedEntry[]): string[][] {
  const byHash = new Map<string, string[]>()
  for (const e of decoded) {
    const group = byHash.get(e.image.hash)
    if (group) group.push(e.rel)
    else byHash.set(e.image.hash, [e.rel])
  }
  return [...byHash.values()].filter((g) => g.length > 1)
}
