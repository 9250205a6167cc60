import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { readIdxFile } from './idx-file'
import type { LabelledImages } from '../dataset-classifier'

/** Where Debian's dataset-fashion-mnist package puts the IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'

export function fashionMnistMissing(dir = FASHION_MNIST_DIR): string | null {
  const file = join(dir, 'train-images-idx3-ubyte.gz')
  return existsSync(file) ? null : `${file} not found (apt-get install -y dataset-fashion-mnist)`
}

/** The first `count` images (28x28 grey, 10 classes) of the train or test split. */
export function loadFashionMnist(split: 'train' | 't10k', count: number, dir = FASHION_MNIST_DIR): LabelledImages {
  const images = readIdxFile(join(dir, `${split}-images-idx3-ubyte.gz`))
  const labels = readIdxFile(join(dir, `${split}-labels-idx1-ubyte.gz`))
  const n = Math.min(count, images.shape[0])
  return {
    images: images.data.slice(0, n * 28 * 28),
    imageSize: 28,
    channels: 1,
    labels: Int32Array.from(labels.data.subarray(0, n)),
    numClasses: 10,
  }
}
