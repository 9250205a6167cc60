// The real dataset of the tests and benchmarks: Debian's Fashion-MNIST
// (apt: dataset-fashion-mnist), 28 px grey, 10 classes. Engine tests take it
// padded to 32 px, or a fixed pattern where it is not installed.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { LabelledImages } from '../metrics/dataset-classifier'
import { readIdxFile } from './idx-file'

/** Where Debian's dataset-fashion-mnist package puts the IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'

type Split = 'train' | 't10k'

/** Why a split cannot be read, or null when it can. */
export function fashionMnistMissing(split: Split = 'train', dir = FASHION_MNIST_DIR): string | null {
  const missing = [`${split}-images-idx3-ubyte.gz`, `${split}-labels-idx1-ubyte.gz`].map((f) => join(dir, f)).find((f) => !existsSync(f))
  return missing ? `${missing} not found (apt-get install -y dataset-fashion-mnist)` : null
}

/** The first `count` images (28x28 grey, 10 classes) of the train or test split. */
export function loadFashionMnist(split: Split, count: number, dir = FASHION_MNIST_DIR): LabelledImages {
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

/** The first n test images as [n, 32, 32, 1] uint8 (2 px black border) and their labels 0..9. */
export function paddedFashionMnist(n: number): { images: Uint8Array; labels: Int32Array } {
  const { images, labels } = loadFashionMnist('t10k', n)
  const out = new Uint8Array(n * 32 * 32)
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < 28; y++) out.set(images.subarray((i * 28 + y) * 28, (i * 28 + y + 1) * 28), i * 1024 + (y + 2) * 32 + 2)
  }
  return { images: out, labels }
}

/** n engine test images [n, 32, 32, 1]: real Fashion-MNIST when installed, else a fixed pseudo-random pattern with labels i % 10. */
export function testImages(n: number): { images: Uint8Array; labels: Int32Array } {
  if (fashionMnistMissing('t10k') === null) return paddedFashionMnist(n)
  return { images: Uint8Array.from({ length: n * 1024 }, (_, i) => (i * 2654435761) >>> 24), labels: Int32Array.from({ length: n }, (_, i) => i % 10) }
}
