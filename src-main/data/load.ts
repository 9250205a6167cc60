// Reading a dataset folder end to end: scan -> fingerprint -> cache hit, or
// layout -> decode (bounded concurrency, off the main thread) -> report ->
// one [N, S, S, C] array -> cache. Only the cache folder is ever written.

import { promises as fs } from 'node:fs'
import path from 'node:path'
import { DatasetSettingsSchema, type DatasetReport, type DatasetSettingsInput, type ScanProgress, type SkippedFile } from '../../src-shared/dataset'
import { assertOutsideDataset, cacheFile, readCache, writeCache } from './cache'
import { decodeImage } from './decode'
import { datasetFingerprint } from './fingerprint'
import { detectLayout } from './layout'
import type { LoadedDataset } from './loaded'
import { DECODE_CONCURRENCY, mapLimit } from './pool'
import { buildReport, type DecodedEntry } from './report'
import { scanFolder } from './scan'

export interface ReadOptions {
  onProgress?: (p: ScanProgress) => void
  signal?: AbortSignal
}

/** Decodes (or reads from the cache) the whole dataset at the training size. */
export async function loadDataset(root: string, settings: DatasetSettingsInput, opts: ReadOptions & { cacheDir: string }): Promise<LoadedDataset> {
  return readDataset(root, settings, opts)
}

/**
 * The validation report. Every image is decoded, since truncation and
 * greyness only show in the pixels; pass `cacheDir` to keep the result so
 * that the following loadDataset is warm.
 */
export async function checkDataset(root: string, settings: DatasetSettingsInput, opts: ReadOptions & { cacheDir?: string } = {}): Promise<DatasetReport> {
  return (await readDataset(root, settings, opts)).report
}

async function readDataset(root: string, settingsInput: DatasetSettingsInput, opts: ReadOptions & { cacheDir?: string }): Promise<LoadedDataset> {
  const { onProgress, signal, cacheDir } = opts
  const settings = DatasetSettingsSchema.parse(settingsInput)
  await assertFolder(root)
  if (cacheDir) await assertOutsideDataset(cacheDir, root)

  const scan = await scanFolder(root, { signal, onProgress })
  const fingerprint = datasetFingerprint(scan, settings)
  const cachePath = cacheDir ? await cacheFile(cacheDir, root, fingerprint) : null
  if (cachePath) {
    onProgress?.({ phase: 'cache', done: 0, total: 1 })
    const cached = await readCache(cachePath)
    if (cached) {
      onProgress?.({ phase: 'cache', done: 1, total: 1 })
      return { ...cached, report: { ...cached.report, root }, fromCache: true }
    }
  }

  const layout = detectLayout(scan, path.basename(path.resolve(root)))
  const total = layout.images.length
  onProgress?.({ phase: 'scan', done: scan.files.length, total: scan.files.length })
  const progressEvery = Math.max(1, Math.floor(total / 200))
  let done = 0
  const results = await mapLimit(
    layout.images,
    DECODE_CONCURRENCY,
    async (file) => {
      const result = await decodeImage(file.abs, file.rel, settings, file.size)
      if (++done % progressEvery === 0 || done === total) onProgress?.({ phase: 'decode', done, total })
      return result
    },
    signal,
  )
  const decoded: DecodedEntry[] = []
  const skipped: SkippedFile[] = [...scan.skipped, ...layout.skipped]
  results.forEach((result, i) => {
    if (result.ok) decoded.push({ rel: layout.images[i].rel, folderIndex: layout.images[i].folderIndex, image: result })
    else skipped.push({ path: result.path, reason: result.reason, message: result.message })
  })

  const { report, labelOfFolder } = buildReport({ root, layout, settings, fingerprint, fileCount: scan.files.length, decoded, skipped })
  const dataset = assemble(decoded, labelOfFolder, report)
  if (cachePath) {
    onProgress?.({ phase: 'cache', done: 0, total: 1 })
    await writeCache(cachePath, dataset)
    onProgress?.({ phase: 'cache', done: 1, total: 1 })
  }
  return { ...dataset, fromCache: false }
}

async function assertFolder(root: string): Promise<void> {
  let stat
  try {
    stat = await fs.stat(root)
  } catch (err) {
    throw new Error(`Dataset folder ${root} cannot be opened (${(err as NodeJS.ErrnoException).code ?? String(err)}). Choose an existing folder.`, {
      cause: err,
    })
  }
  if (!stat.isDirectory()) throw new Error(`Dataset path ${root} is a file, not a folder. Choose the folder that holds the images.`)
}

/** One contiguous [N, S, S, C] array ordered by label, then path; grey images are expanded when the dataset is colour. */
function assemble(decoded: DecodedEntry[], labelOfFolder: number[], report: DatasetReport): Omit<LoadedDataset, 'fromCache'> {
  const { imageSize, channels } = report
  const pixelsPerImage = imageSize * imageSize
  const ordered = decoded.map((entry) => ({ entry, label: labelOfFolder[entry.folderIndex] })).sort((a, b) => a.label - b.label) // stable: paths stay sorted within a class
  const images = new Uint8Array(ordered.length * pixelsPerImage * channels)
  const labels = new Int32Array(ordered.length)
  ordered.forEach(({ entry, label }, n) => {
    labels[n] = label
    const { pixels } = entry.image
    const offset = n * pixelsPerImage * channels
    if (entry.image.channels === channels) {
      images.set(pixels, offset)
    } else {
      for (let p = 0; p < pixelsPerImage; p++) images.fill(pixels[p], offset + p * 3, offset + p * 3 + 3)
    }
  })
  return { images, labels, classNames: report.classes.map((c) => c.name), imageSize, channels, report }
}
