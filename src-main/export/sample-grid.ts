// Tiles generated images into one PNG: row r holds the images of class r
// (the fixed-noise gallery sheet). Cells are upscaled with nearest neighbour
// so small images stay crisp.
import sharp from 'sharp'

export interface GridInput {
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

/** Default cell: the image scaled by a whole factor to at least 64 px. */
export function gridCell(size: number): number {
  return Math.max(size, Math.ceil(64 / size) * size)
}

export async function encodeGrid(g: GridInput): Promise<Uint8Array> {
  const cell = g.cell ?? gridCell(g.size)
  const gap = g.gap ?? GRID_GAP
  const rows = Math.ceil(g.count / g.columns)
  const width = g.columns * cell + (g.columns - 1) * gap
  const height = rows * cell + (rows - 1) * gap
  const pixels = g.size * g.size * g.channels
  const tiles = await Promise.all(
    Array.from({ length: g.count }, async (_, i) => ({
      input: await sharp(Buffer.from(g.images.buffer, g.images.byteOffset + i * pixels, pixels), {
        raw: { width: g.size, height: g.size, channels: g.channels },
      })
        .resize(cell, cell, { kernel: 'nearest' })
        .png()
        .toBuffer(),
      left: (i % g.columns) * (cell + gap),
      top: Math.floor(i / g.columns) * (cell + gap),
    })),
  )
  const png = await sharp({ create: { width, height, channels: 3, background: '#0f1115' } })
    .composite(tiles)
    .png({ compressionLevel: 9 })
    .toBuffer()
  return new Uint8Array(png)
}
