// The identity of a dataset as the model sees it: which files (path, size,
// modification time, permissions), which class folders, and how they are preprocessed.
// Any change gives a new fingerprint, which invalidates the cache. A file
// rewritten in place with the same size and mtime is not noticed (as with make).

import { createHash } from 'node:crypto'
import type { DatasetSettings } from '../../src-shared/dataset'
import type { ScanResult } from './scan'

/** Bump when decoding or the cache layout changes, so old caches are not reused. */
const DATASET_FORMAT_VERSION = 1

export function datasetFingerprint(scan: ScanResult, settings: DatasetSettings): string {
  const hash = createHash('sha256')
  // flip and classBalanced act on batches, not on decoded pixels: not part of the identity.
  const { imageSize, crop, background, pixelLimit } = settings
  hash.update(JSON.stringify({ v: DATASET_FORMAT_VERSION, imageSize, crop, background: background.toLowerCase(), pixelLimit }))
  hash.update(JSON.stringify(scan.topFolders))
  for (const f of scan.files) hash.update(`\n${f.rel}\t${f.size}\t${f.mtimeMs}\t${f.mode}`)
  return hash.digest('hex').slice(0, 32)
}
