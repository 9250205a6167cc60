import { expect, it } from 'vitest'
import type { DatasetReport } from '../../src-shared/dataset'
import { formatReportText } from './report-text'

const report: DatasetReport = {
  root: '/data/pets',
  layout: 'classes',
  classes: [
    { name: 'Cats', count: 120, typicalWidth: 640, typicalHeight: 480, channels: 3 },
    { name: 'Dogs', count: 3, typicalWidth: 28, typicalHeight: 28, channels: 1 },
  ],
  conditional: true,
  totals: { files: 180, images: 123, skipped: 57 },
  skipped: Array.from({ length: 57 }, (_, i) => ({
    path: `Cats/bad-${String(i).padStart(2, '0')}.jpg`,
    reason: i < 55 ? ('unreadable' as const) : ('zero-bytes' as const),
    message: 'why',
  })),
  warnings: [{ code: 'few-images', class: 'Dogs', message: '"Dogs" has only 3 images.' }],
  duplicates: [],
  trainable: true,
  channels: 3,
  imageSize: 64,
  fingerprint: 'abc',
}

it('prints a class table, the first skipped files, a count of the rest, warnings and the verdict', () => {
  const text = formatReportText(report)
  expect(text).toContain('Training images: 64x64, colour (3 channels)')
  expect(text).toMatch(/Cats\s+120\s+640x480\s+colour/)
  expect(text).toMatch(/Dogs\s+3\s+28x28\s+grey/)
  expect(text).toContain('Cats/bad-49.jpg  [unreadable] why')
  expect(text).not.toContain('Cats/bad-50.jpg')
  expect(text).toContain('... and 7 more: 5 unreadable, 2 zero-bytes')
  expect(text).toContain('[few-images] "Dogs" has only 3 images.')
  expect(text.endsWith('Trainable.')).toBe(true)
})

it('says plainly when nothing can be trained', () => {
  expect(formatReportText({ ...report, trainable: false })).toMatch(/NOT trainable: no usable images/)
})
