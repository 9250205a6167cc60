import type { DatasetReport } from '../../src-shared/dataset'

/** A dataset decoded to the training size, ready for batches. */
export interface LoadedDataset {
  /** [N, imageSize, imageSize, channels], uint8, ordered by label then path. */
  images: Uint8Array
  /** [N], index into classNames. */
  labels: Int32Array
  /** Label order; a flat (unconditional) dataset has one name: the folder's. */
  classNames: string[]
  imageSize: number
  channels: 1 | 3
  report: DatasetReport
  fromCache: boolean
}
