// A grid of one class's images exactly as the model will see them (after
// crop, resize and channel choice), enlarged with nearest-neighbour so small
// training images stay crisp.

import sharp from 'sharp'
import type { LoadedDataset } from './loaded'

export interface PreviewOptions {
  /** Most images in the grid (picked evenly across the class). Default 64. */
  maxImages?: number
  /** Images per row. Default: a square-ish grid. */
  columns?: number
  /** Smallest side of one cell on screen, in pixels. Default 64. */
  minCellSize?: number
}

const GAP = 1
const GAP_VALUE = 128

type PreviewSource = Pick<LoadedDataset, 'images' | 'labels' | 'classNames' | 'imageSize' | 'channels'>

export async function renderPreviewGrid(dataset: PreviewSource, classIndex: number, opts: PreviewOptions = {}): Promise<Buffer> {
  const { images, labels, imageSize: s, channels, classNames } = dataset
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classNames.length) {
    throw new Error(`Preview: class index ${classIndex} is out of range (the dataset has ${classNames.length} classes).`)
  }
  const members: number[] = []
  labels.forEach((label, i) => label === classIndex && members.push(i))
  const count = Math.min(members.length, opts.maxImages ?? 64)
  const picks = Array.from({ length: count }, (_, k) => members[Math.floor((k * members.length) / count)])
  const columns = Math.max(1, opts.columns ?? Math.ceil(Math.sqrt(count)))
  const rows = Math.max(1, Math.ceil(count / columns))
  const width = columns * (s + GAP) + GAP
  const height = rows * (s + GAP) + GAP
  const canvas = new Uint8Array(width * height * channels).fill(GAP_VALUE)
  const imageBytes = s * s * channels
  const rowBytes = s * channels
  picks.forEach((index, k) => {
    const x0 = GAP + (k % columns) * (s + GAP)
    const y0 = GAP + Math.floor(k / columns) * (s + GAP)
    for (let y = 0; y < s; y++) {
      const from = index * imageBytes + y * rowBytes
      canvas.set(images.subarray(from, from + rowBytes), ((y0 + y) * width + x0) * channels)
    }
  })
  const scale = Math.max(1, Math.ceil((opts.minCellSize ?? 64) / s))
  return sharp(canvas, { raw: { width, height, channels } })
    .resize(width * scale, height * scale, { kernel: 'nearest' })
    .png()
    .toBuffer()
}
