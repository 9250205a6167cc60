// Layout arithmetic and real renders (sharp + librsvg) of sheets made of
// known solid-colour images, so cells and labels can be found by position.
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { labelSize, layoutSheet as layoutWith, sheetTexts, type SheetLayoutInput, type TextMeasure } from './layout'
import { renderSheet, sheetSvg } from './render'
import { measureTexts } from './text-metrics'

/** A stand-in measure for layout arithmetic: 0.6 em a character. */
const textWidth: TextMeasure = (text, size) => Math.ceil(text.length * size * 0.6)
const layoutSheet = (p: SheetLayoutInput) => layoutWith(p, textWidth)

const SIZE = 8
/** count solid images, image i has grey level 20 + 10 i (RGB). */
function solidCells(count: number) {
  const px = SIZE * SIZE * 3
  const images = new Uint8Array(count * px)
  for (let i = 0; i < count; i++) images.fill(20 + 10 * i, i * px, (i + 1) * px)
  return { images, size: SIZE, channels: 3 as const }
}

const plain: SheetLayoutInput = { rows: 2, columns: 3, cell: 32, padding: 4, rowLabels: null, columnLabels: null, header: null, footer: null }

async function rawPixels(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  return { data, info, at: (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)] }
}

async function render(input: SheetLayoutInput, background = '#ffffff', format: 'png' | 'jpeg' | 'webp' = 'png') {
  const layout = layoutWith(input, await measureTexts(sheetTexts(input)))
  const bytes = await renderSheet({
    layout,
    cells: solidCells(input.rows * input.columns),
    rows: input.rows,
    columns: input.columns,
    background,
    format,
    quality: 90,
  })
  return { layout, bytes }
}

describe('sheet layout', () => {
  it('is the grid plus margins when there is no text', () => {
    const l = layoutSheet(plain)
    expect([l.gridLeft, l.gridTop]).toEqual([12, 12])
    expect(l.width).toBe(12 + 3 * 32 + 2 * 4 + 12)
    expect(l.height).toBe(12 + 2 * 32 + 4 + 12)
    expect(l.texts).toEqual([])
  })

  it('makes room for row labels as wide as the longest name, a header, column labels and a footer', () => {
    const l = layoutSheet({
      ...plain,
      rowLabels: ['T-shirt/top', ''],
      columnLabels: ['step 2', 'step 4', 'step 6'],
      header: { title: 'run · step 6', detail: 'FID 12.0' },
      footer: 'seed 1',
    })
    expect(l.gridLeft).toBe(12 + textWidth('T-shirt/top', labelSize(32)) + 12)
    expect(l.gridTop).toBeGreaterThan(12 + 18 + 12 + labelSize(32))
    expect(l.height).toBe(l.gridTop + 2 * 32 + 4 + 8 + Math.round(11 * 1.6) + 12)
    // Empty labels (a class's second row) draw nothing.
    expect(l.texts.filter((t) => t.anchor === 'end').map((t) => t.text)).toEqual(['T-shirt/top'])
    expect(l.texts.filter((t) => t.anchor === 'middle').map((t) => t.text)).toEqual(['step 2', 'step 4', 'step 6'])
  })

  it('widens the sheet for a header longer than the grid, and cuts very long class names', () => {
    const title = 'a very long run name that is much wider than three small cells'
    expect(layoutSheet({ ...plain, header: { title, detail: '' } }).width).toBe(12 + textWidth(title, 18) + 12)
    const l = layoutSheet({ ...plain, rowLabels: ['x'.repeat(60), 'y'] })
    expect(l.texts[0].text).toHaveLength(28)
    expect(l.texts[0].text.endsWith('…')).toBe(true)
  })

  it('cuts a header detail wider than the grid into two even lines at a separator', () => {
    const detail = 'FID 31.48 (dataset classifier features, 100 samples) · EMA weights · no truncation · Fashion-MNIST demo, 32 px'
    const l = layoutSheet({ ...plain, header: { title: 't', detail } })
    const lines = l.texts.filter((t) => t.muted).map((t) => t.text)
    expect(lines).toEqual(['FID 31.48 (dataset classifier features, 100 samples)', 'EMA weights · no truncation · Fashion-MNIST demo, 32 px'])
    expect(l.width).toBe(12 + textWidth(lines[1], 12) + 12)
    // A wide grid keeps it on one line.
    expect(layoutSheet({ ...plain, columns: 24, header: { title: 't', detail } }).texts.filter((t) => t.muted)).toHaveLength(1)
  })

  it('refuses sheets larger than the format limit, saying what to change', () => {
    expect(() => layoutSheet({ ...plain, columns: 600 })).toThrow(/limit is 16000 px.*fewer samples/)
  })
})

describe('sheet rendering', () => {
  it('puts every image in its cell, nearest-neighbour upscaled, on the chosen background', async () => {
    const { layout, bytes } = await render(plain, '#102030')
    const px = await rawPixels(bytes)
    expect([px.info.width, px.info.height]).toEqual([layout.width, layout.height])
    for (let row = 0; row < 2; row++) {
      for (let col = 0; col < 3; col++) {
        const x = layout.gridLeft + col * 36
        const y = layout.gridTop + row * 36
        const v = 20 + 10 * (row * 3 + col)
        expect([px.at(x, y), px.at(x + 31, y + 31)]).toEqual([
          [v, v, v],
          [v, v, v],
        ])
      }
    }
    expect(px.at(0, 0)).toEqual([0x10, 0x20, 0x30])
    expect(px.at(layout.gridLeft + 32 + 1, layout.gridTop)).toEqual([0x10, 0x20, 0x30]) // the padding
  })

  it('draws labels where the layout puts them, and nothing there when labels are off', async () => {
    const withText = { ...plain, rowLabels: ['Sneaker', 'Bag'], header: { title: 'Fashion run · step 10', detail: 'FID 3.2' }, footer: 'seed 9' }
    const on = await render(withText)
    const off = await render({ ...withText, rowLabels: null, header: null, footer: null })
    const inked = async (bytes: Uint8Array, box: { x0: number; y0: number; x1: number; y1: number }) => {
      const px = await rawPixels(bytes)
      let n = 0
      for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) if (px.at(x, y)[0] < 128) n++
      return n
    }
    // The row-label column, left of the first cell row; the header band above the grid.
    const labelBox = { x0: 12, y0: on.layout.gridTop, x1: on.layout.gridLeft - 4, y1: on.layout.gridTop + 32 }
    const headerBox = { x0: 12, y0: 12, x1: on.layout.width - 12, y1: on.layout.gridTop - 4 }
    expect(await inked(on.bytes, labelBox)).toBeGreaterThan(20)
    expect(await inked(on.bytes, headerBox)).toBeGreaterThan(50)
    expect(await inked(off.bytes, { x0: 0, y0: 0, x1: off.layout.gridLeft, y1: off.layout.height })).toBe(0)
    // The measured label column holds its widest name: no ink left of the margin.
    const wide = await render({ ...plain, rowLabels: ['WWWWWWWWWWWW', 'iiii'] })
    expect(await inked(wide.bytes, { x0: 0, y0: 0, x1: 10, y1: wide.layout.height })).toBe(0)
    expect(await inked(wide.bytes, { x0: 10, y0: wide.layout.gridTop, x1: 40, y1: wide.layout.gridTop + 32 })).toBeGreaterThan(10)
    // Different names give different ink: the text really is the class name.
    const other = await render({ ...withText, rowLabels: ['Trouser', 'Bag'] })
    const crop = async (bytes: Uint8Array) =>
      (
        await sharp(bytes)
          .extract({ left: labelBox.x0, top: labelBox.y0, width: labelBox.x1 - labelBox.x0, height: 32 })
          .raw()
          .toBuffer()
      ).toString('base64')
    expect(await crop(other.bytes)).not.toBe(await crop(on.bytes))
  })

  it('measures text with the font: wide letters take more room than narrow ones', async () => {
    const measure = await measureTexts([
      { text: 'WWWW', size: 12 },
      { text: 'iiii', size: 12 },
      { text: 'Sneaker', size: 18, bold: true },
    ])
    expect(measure('WWWW', 12)).toBeGreaterThan(2 * measure('iiii', 12))
    expect(measure('WWWW', 12)).toBeGreaterThanOrEqual(40) // DejaVu's W is about 1 em
    expect(measure('Sneaker', 18, true)).toBeGreaterThan(measure('Sneaker', 12))
  })

  it('writes the text into the SVG layer escaped, light on dark and dark on light', () => {
    const layout = layoutSheet({ ...plain, rowLabels: ['<Bag & "co">', ''] })
    const dark = sheetSvg(layout, '#000000')
    expect(dark).toContain('&lt;Bag &amp; &quot;co&quot;&gt;')
    expect(dark).toContain('fill="#eceef3"')
    expect(sheetSvg(layout, '#ffffff')).toContain('fill="#1b1d22"')
  })

  it('gives byte-identical PNGs for the same input, and real JPEG and WebP files', async () => {
    const input = { ...plain, rowLabels: ['a', 'b'], header: { title: 't', detail: 'd' }, footer: 'f' }
    const a = await render(input)
    const b = await render(input)
    expect(Buffer.compare(a.bytes, b.bytes)).toBe(0)
    for (const format of ['jpeg', 'webp'] as const) {
      const { bytes, layout } = await render(input, '#ffffff', format)
      const meta = await sharp(bytes).metadata()
      expect([meta.format, meta.width, meta.height]).toEqual([format, layout.width, layout.height])
    }
  })
})
