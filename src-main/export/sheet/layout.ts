// Where everything sits on an exported sheet: header lines, column labels,
// row labels, the cell grid and the footer. Pure arithmetic, so tests can
// check dimensions without rendering, and the renderer only paints.
import { MAX_SHEET_SIDE } from '../../../src-shared/export'

export interface SheetLayoutInput {
  rows: number
  columns: number
  cell: number
  padding: number
  /** One label per row ('' for none), or null for no label column. */
  rowLabels: string[] | null
  /** One label per column, or null. */
  columnLabels: string[] | null
  header: { title: string; detail: string } | null
  footer: string | null
}

export interface TextItem {
  text: string
  x: number
  /** Baseline. */
  y: number
  size: number
  anchor: 'start' | 'middle' | 'end'
  bold?: boolean
  muted?: boolean
}

export interface SheetLayout {
  width: number
  height: number
  /** Top-left pixel of the grid's first cell. */
  gridLeft: number
  gridTop: number
  cell: number
  /** Distance between neighbouring cells' origins minus the cell: the padding. */
  gap: number
  texts: TextItem[]
}

const TITLE_SIZE = 18
const DETAIL_SIZE = 12
const FOOTER_SIZE = 11
/** Longest row label shown in full; longer ones are cut with an ellipsis. */
const MAX_LABEL_CHARS = 28

/** Pixel width of a line of text at a font size (see text-metrics.ts for the real one). */
export type TextMeasure = (text: string, size: number, bold?: boolean) => number

function shortLabel(label: string): string {
  return label.length > MAX_LABEL_CHARS ? `${label.slice(0, MAX_LABEL_CHARS - 1)}…` : label
}

/** Row and column label size: readable at every cell size, never taller than a small cell. */
export function labelSize(cell: number): number {
  return Math.max(11, Math.min(16, Math.round(cell * 0.22)))
}

/** Every text the layout will place, as measureTexts needs them. */
export function sheetTexts(p: SheetLayoutInput): { text: string; size: number; bold?: boolean }[] {
  const size = labelSize(p.cell)
  return [
    ...(p.header
      ? [
          { text: p.header.title, size: TITLE_SIZE, bold: true },
          ...detailSplits(p.header.detail)
            .flat()
            .map((text) => ({ text, size: DETAIL_SIZE })),
        ]
      : []),
    ...(p.footer ? [{ text: p.footer, size: FOOTER_SIZE }] : []),
    ...(p.rowLabels ?? []).map((l) => ({ text: shortLabel(l), size })),
  ]
}

const SEPARATOR = ' · '

/** The header detail whole, and cut in two at each separator. */
function detailSplits(detail: string): string[][] {
  const parts = detail.split(SEPARATOR)
  return [[detail], ...parts.slice(1).map((_, i) => [parts.slice(0, i + 1).join(SEPARATOR), parts.slice(i + 1).join(SEPARATOR)])]
}

/** One line when it fits over the grid, else the most even cut in two: a narrow sheet stays narrow. */
function detailLines(detail: string, maxWidth: number, measure: TextMeasure): string[] {
  const width = (lines: string[]) => Math.max(...lines.map((l) => measure(l, DETAIL_SIZE)))
  const [whole, ...cuts] = detailSplits(detail)
  if (width(whole) <= maxWidth || cuts.length === 0) return whole
  return cuts.reduce((best, lines) => (width(lines) < width(best) ? lines : best))
}

export function layoutSheet(p: SheetLayoutInput, measure: TextMeasure): SheetLayout {
  const margin = Math.max(12, p.padding)
  const size = labelSize(p.cell)
  const rowLabels = p.rowLabels?.map(shortLabel) ?? null
  const labelWidth = rowLabels ? Math.max(0, ...rowLabels.map((l) => measure(l, size))) + 12 : 0
  const gridWidth = p.columns * p.cell + (p.columns - 1) * p.padding
  const gridHeight = p.rows * p.cell + (p.rows - 1) * p.padding
  const texts: TextItem[] = []

  let y = margin
  let headerWidth = 0
  if (p.header) {
    const lines = detailLines(p.header.detail, labelWidth + gridWidth, measure)
    headerWidth = Math.max(measure(p.header.title, TITLE_SIZE, true), ...lines.map((l) => measure(l, DETAIL_SIZE)))
    texts.push({ text: p.header.title, x: margin, y: y + TITLE_SIZE, size: TITLE_SIZE, anchor: 'start', bold: true })
    y += Math.round(TITLE_SIZE * 1.35)
    for (const line of lines) {
      texts.push({ text: line, x: margin, y: y + DETAIL_SIZE, size: DETAIL_SIZE, anchor: 'start', muted: true })
      y += Math.round(DETAIL_SIZE * 1.4)
    }
    y += 10
  }
  const gridLeft = margin + labelWidth
  if (p.columnLabels) {
    p.columnLabels.forEach((text, col) =>
      texts.push({ text, x: gridLeft + col * (p.cell + p.padding) + p.cell / 2, y: y + size, size, anchor: 'middle', muted: true }),
    )
    y += Math.round(size * 1.6)
  }
  const gridTop = y
  rowLabels?.forEach((text, row) => {
    if (text) texts.push({ text, x: gridLeft - 12, y: gridTop + row * (p.cell + p.padding) + p.cell / 2 + size * 0.35, size, anchor: 'end' })
  })
  y += gridHeight
  if (p.footer) {
    texts.push({ text: p.footer, x: margin, y: y + 8 + FOOTER_SIZE, size: FOOTER_SIZE, anchor: 'start', muted: true })
    y += 8 + Math.round(FOOTER_SIZE * 1.6)
  }
  const widest = Math.max(gridLeft + gridWidth, margin + headerWidth, margin + (p.footer ? measure(p.footer, FOOTER_SIZE) : 0))
  const width = widest + margin
  const height = y + margin
  if (width > MAX_SHEET_SIDE || height > MAX_SHEET_SIDE) {
    throw new RangeError(`The sheet would be ${width} x ${height} px; the limit is ${MAX_SHEET_SIDE} px a side. Use fewer samples, classes or a smaller cell.`)
  }
  return { width, height, gridLeft, gridTop, cell: p.cell, gap: p.padding, texts }
}
