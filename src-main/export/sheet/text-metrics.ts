// How wide a line of sheet text will be, asked of the font itself: sharp
// renders the string with Pango and the same DejaVu font librsvg draws the
// SVG layer with, so label columns and headers fit their text exactly.
import sharp from 'sharp'
import type { TextMeasure } from './layout'

interface TextToMeasure {
  text: string
  size: number
  bold?: boolean
}

/** Slack for the few pixels Pango and librsvg may differ by (hinting, side bearings). */
const SLACK_PX = 4

function key(t: TextToMeasure): string {
  return `${t.bold ? 'b' : 'r'}${t.size}:${t.text}`
}

function pangoMarkup(text: string): string {
  return text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c)
}

export async function measureTexts(items: TextToMeasure[]): Promise<TextMeasure> {
  const widths = new Map<string, number>()
  for (const item of items) {
    const k = key(item)
    if (widths.has(k) || item.text.trim() === '') continue
    // At 72 dpi a font size in points is the same number of pixels.
    const { info } = await sharp({ text: { text: pangoMarkup(item.text), font: `DejaVu Sans${item.bold ? ' Bold' : ''} ${item.size}`, dpi: 72 } })
      .png()
      .toBuffer({ resolveWithObject: true })
    widths.set(k, info.width + SLACK_PX)
  }
  return (text, size, bold) => widths.get(key({ text, size, bold })) ?? 0
}
