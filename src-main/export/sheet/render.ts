// Paints a laid-out sheet: cells on an RGB canvas, then every text item as one
// SVG layer that sharp (librsvg) renders, then PNG, JPEG or WebP. No clocks or
// paths go into the file, so the same input gives the same bytes.
import sharp from 'sharp'
import type { SheetFormat } from '../../../src-shared/export'
import { blankCanvas, hexColour, paintCell, type CellImages } from '../canvas'
import type { SheetLayout, TextItem } from './layout'

interface RenderSheetInput {
  layout: SheetLayout
  /** Row-major over the grid: cell (row, col) is image row * columns + col. */
  cells: CellImages
  rows: number
  columns: number
  background: string
  format: SheetFormat
  quality: number
}

const FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c)
}

/** Dark text on light backgrounds, light text on dark ones (relative luminance). */
function textColours(background: string): { text: string; muted: string } {
  const [r, g, b] = hexColour(background)
  const light = 0.2126 * r + 0.7152 * g + 0.0722 * b > 128
  return light ? { text: '#1b1d22', muted: '#5b6170' } : { text: '#eceef3', muted: '#9aa1b2' }
}

export function sheetSvg(layout: SheetLayout, background: string): string {
  const colours = textColours(background)
  const item = (t: TextItem) =>
    `<text x="${t.x}" y="${t.y}" font-size="${t.size}" text-anchor="${t.anchor}"${t.bold ? ' font-weight="bold"' : ''} fill="${t.muted ? colours.muted : colours.text}">${escapeXml(t.text)}</text>`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" font-family="${FONT}">`,
    ...layout.texts.map(item),
    '</svg>',
  ].join('\n')
}

export async function renderSheet(p: RenderSheetInput): Promise<Uint8Array> {
  const { layout } = p
  const canvas = blankCanvas(layout.width, layout.height, p.background)
  for (let row = 0; row < p.rows; row++) {
    for (let col = 0; col < p.columns; col++) {
      const left = layout.gridLeft + col * (layout.cell + layout.gap)
      const top = layout.gridTop + row * (layout.cell + layout.gap)
      paintCell(canvas, p.cells, row * p.columns + col, left, top, layout.cell)
    }
  }
  let image = sharp(canvas.data, { raw: { width: canvas.width, height: canvas.height, channels: 3 } })
  if (layout.texts.length > 0) image = image.composite([{ input: Buffer.from(sheetSvg(layout, p.background)), left: 0, top: 0 }])
  const encoded =
    p.format === 'png'
      ? image.png({ compressionLevel: 9 })
      : p.format === 'jpeg'
        ? image.jpeg({ quality: p.quality, chromaSubsampling: '4:4:4' })
        : image.webp({ quality: p.quality })
  return new Uint8Array(await encoded.toBuffer())
}
