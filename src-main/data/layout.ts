// Decides what the labels are: one class per sub-folder of the root
// (sub-folders inside a class are part of it), or a flat folder of images with
// no classes. Both at once is a mixed layout: it is reported, and the loose
// files are left out rather than guessed into a class.

import type { DatasetReport, SkippedFile } from '../../src-shared/dataset'
import { hasImageExtension } from './formats'
import type { ScanResult, ScannedFile } from './scan'

interface LabelledFile extends ScannedFile {
  /** Index into `classFolders` (always 0 for a flat layout). */
  folderIndex: number
}

export interface Layout {
  layout: DatasetReport['layout']
  /** Class names in label order (code point order); for a flat layout, the root folder's name. */
  classFolders: string[]
  images: LabelledFile[]
  /** Files left out because of their name or place. */
  skipped: SkippedFile[]
}

export function detectLayout(scan: ScanResult, rootName: string): Layout {
  const skipped: SkippedFile[] = []
  const candidates: ScannedFile[] = []
  for (const file of scan.files) {
    if (hasImageExtension(file.rel)) candidates.push(file)
    else skipped.push({ path: file.rel, reason: 'other-file', message: 'Not an image file name (PNG, JPEG, WebP, GIF, TIFF, BMP); ignored.' })
  }
  const loose = candidates.filter((f) => !f.rel.includes('/'))
  const inFolders = candidates.filter((f) => f.rel.includes('/'))

  if (inFolders.length === 0 && loose.length > 0) {
    return { layout: 'flat', classFolders: [rootName], images: loose.map((f) => ({ ...f, folderIndex: 0 })), skipped }
  }
  const folderIndex = new Map(scan.topFolders.map((name, i) => [name, i]))
  const images = inFolders.map((f) => ({ ...f, folderIndex: folderIndex.get(f.rel.slice(0, f.rel.indexOf('/')))! }))
  for (const f of loose) {
    skipped.push({
      path: f.rel,
      reason: 'not-in-a-class-folder',
      message: 'This image sits next to class folders, so its class is unknown. Move it into a class folder to include it.',
    })
  }
  return { layout: loose.length > 0 ? 'mixed' : 'classes', classFolders: scan.topFolders, images, skipped }
}
