// An RGB pixel canvas that sample sheets and gallery grids are painted on.
// Cells are upscaled with nearest neighbour in plain JS: crisp pixels for
// small images, and exactly the same bytes on every machine.

interface RgbCanvas {
  data: Uint8Array
  width: number
  height: number
}

export interface CellImages {
  /** [count, size, size, channels] uint8. */
  images: Uint8Array
  size: number
  channels: 1 | 3
}

export function hexColour(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

export function blankCanvas(width: number, height: number, background: string): RgbCanvas {
  const [r, g, b] = hexColour(background)
  const data = new Uint8Array(width * height * 3)
  for (let i = 0; i < data.length; i += 3) {
    data[i] = r
    data[i + 1] = g
    data[i + 2] = b
  }
  return { data, width, height }
}

/** Paints image `index` of `cells` as a cell x cell square whose top-left pixel is (left, top). */
export function paintCell(canvas: RgbCanvas, cells: CellImages, index: number, left: number, top: number, cell: number): void {
  const { images, size, channels } = cells
  const base = index * size * size * channels
  // Source column of every target column, computed once per cell.
  const sx = Array.from({ length: cell }, (_, x) => Math.floor((x * size) / cell))
  for (let y = 0; y < cell; y++) {
    const row = base + Math.floor((y * size) / cell) * size * channels
    let out = ((top + y) * canvas.width + left) * 3
    for (let x = 0; x < cell; x++, out += 3) {
      const src = row + sx[x] * channels
      // Grey images repeat their one channel.
      const green = channels === 3 ? 1 : 0
      canvas.data[out] = images[src]
      canvas.data[out + 1] = images[src + green]
      canvas.data[out + 2] = images[src + 2 * green]
    }
  }
}
