// Tiles generated images into one PNG: row r holds the images of class r
// (the fixed-noise gallery sheet). Cells are upscaled with nearest neighbour
// so small images stay crisp.
import sharp from 'sharp'
import { blankCanvas, paintCell } from './canvas'

interface GridInput {
  /** [count, size, size, channels] uint8. */
  images: Uint8Array
  count: number
  size: number
  channels: 1 | 3
  columns: number
  /** Pixel size of one cell (>= size); default: size scaled to at least 64. */
  cell?: number
  gap?: number
}

export const GRID_GAP = 2
const GALLERY_BACKGROUND = '#0f1115'

/** Default cell: the image scaled by a whole factor to at least 64 px. */
export function gridCell(size: number): number {
  return Math.max(size, Math.ceil(64 / size) * size)
}

export async function encodeGrid(g: GridInput): Promise<Uint8Array> {
  const cell = g.cell ?? gridCell(g.size)
  const gap = g.gap ?? GRID_GAP
  const rows = Math.ceil(g.count / g.columns)
  const canvas = blankCanvas(g.columns * cell + (g.columns - 1) * gap, rows * cell + (rows - 1) * gap, GALLERY_BACKGROUND)
  for (let i = 0; i < g.count; i++) {
    paintCell(canvas, g, i, (i % g.columns) * (cell + gap), Math.floor(i / g.columns) * (cell + gap), cell)
  }
  const png = await sharp(canvas.data, { raw: { width: canvas.width, height: canvas.height, channels: 3 } })
    .png({ compressionLevel: 9 })
    .toBuffer()
  return new Uint8Array(png)
}
