// The dataset report as plain text, for `sagan-studio dataset check` and logs.

import type { DatasetReport } from '../../src-shared/dataset'

/** At most this many skipped files are listed one by one; the rest are counted per reason. */
const LISTED_SKIPS = 50

export function formatReportText(report: DatasetReport): string {
  const lines: string[] = []
  const layout = { classes: 'one class per sub-folder', flat: 'images without classes (unconditional)', mixed: 'MIXED: class folders and loose images' }[
    report.layout
  ]
  lines.push(`Dataset ${report.root}`)
  lines.push(`Layout: ${layout}`)
  lines.push(`Training images: ${report.imageSize}x${report.imageSize}, ${report.channels === 1 ? 'grey (1 channel)' : 'colour (3 channels)'}`)
  lines.push('')
  const nameWidth = Math.max(5, ...report.classes.map((c) => c.name.length))
  lines.push(`${'Class'.padEnd(nameWidth)}  Images  Typical size  Colour`)
  for (const c of report.classes) {
    const size = `${c.typicalWidth}x${c.typicalHeight}`
    lines.push(`${c.name.padEnd(nameWidth)}  ${String(c.count).padStart(6)}  ${size.padStart(12)}  ${c.channels === 1 ? 'grey' : 'colour'}`)
  }
  const { files, images, skipped } = report.totals
  lines.push('')
  lines.push(`Files: ${files}, images used: ${images}, skipped: ${skipped}`)
  if (report.skipped.length > 0) {
    lines.push('')
    lines.push('Skipped:')
    for (const s of report.skipped.slice(0, LISTED_SKIPS)) lines.push(`  ${s.path}  [${s.reason}] ${s.message}`)
    if (report.skipped.length > LISTED_SKIPS) {
      const rest = new Map<string, number>()
      for (const s of report.skipped.slice(LISTED_SKIPS)) rest.set(s.reason, (rest.get(s.reason) ?? 0) + 1)
      lines.push(`  ... and ${report.skipped.length - LISTED_SKIPS} more: ${[...rest].map(([reason, n]) => `${n} ${reason}`).join(', ')}`)
    }
  }
  if (report.warnings.length > 0) {
    lines.push('')
    lines.push('Warnings:')
    for (const w of report.warnings) lines.push(`  [${w.code}] ${w.message}`)
  }
  lines.push('')
  lines.push(report.trainable ? 'Trainable.' : 'NOT trainable: no usable images. Fix the skipped files or choose another folder.')
  return lines.join('\n')
}
