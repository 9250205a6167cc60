import { statfsSync } from 'node:fs'
import type { DiskSpace } from '../../src-shared/contract'

/** Below this much free space a long run may not be able to save its checkpoints. */
const LOW_BYTES = 2 * 1024 ** 3
const LOW_FRACTION = 0.05

export function diskSpace(dir: string): DiskSpace {
  const s = statfsSync(dir)
  const freeBytes = s.bavail * s.bsize
  const totalBytes = s.blocks * s.bsize
  const low = freeBytes < LOW_BYTES || freeBytes < totalBytes * LOW_FRACTION
  return {
    freeBytes,
    totalBytes,
    warning: low
      ? `Only ${(freeBytes / 1024 ** 3).toFixed(1)} GiB free where the studio keeps its data (${dir}). Checkpoints may fail to save: delete old runs or free space.`
      : null,
  }
}
