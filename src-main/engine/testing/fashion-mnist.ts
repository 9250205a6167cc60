// A tiny real dataset for engine tests: the first images of Debian's
// Fashion-MNIST test split (apt: dataset-fashion-mnist), padded 28 -> 32 px.
import { existsSync, readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'
const IMAGES = `${FASHION_MNIST_DIR}/t10k-images-idx3-ubyte.gz`
const LABELS = `${FASHION_MNIST_DIR}/t10k-labels-idx1-ubyte.gz`

export function fashionMnistAvailable(): boolean {
  return existsSync(IMAGES) && existsSync(LABELS)
}

/** The first n images as [n, 32, 32, 1] uint8 (2 px black border) and their labels 0..9. */
export function loadFashionMnist(n: number): { images: Uint8Array; labels: Int32Array } {
  const images = gunzipSync(readFileSync(IMAGES))
  const labels = gunzipSync(readFileSync(LABELS))
  // IDX headers: images 16 bytes (magic, count, rows, cols), labels 8 bytes.
  if (images.readUInt32BE(0) !== 2051 || labels.readUInt32BE(0) !== 2049) throw new Error(`${FASHION_MNIST_DIR}: not IDX files`)
  const out = new Uint8Array(n * 32 * 32)
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < 28; y++) {
      const src = 16 + i * 784 + y * 28
      out.set(images.subarray(src, src + 28), i * 1024 + (y + 2) * 32 + 2)
    }
  }
  return { images: out, labels: Int32Array.from(labels.subarray(8, 8 + n)) }
}

/** n test images [n, 32, 32, 1]: real Fashion-MNIST when installed, else a fixed pseudo-random pattern with labels i % 10. */
export function testImages(n: number): { images: Uint8Array; labels: Int32Array } {
  if (fashionMnistAvailable()) return loadFashionMnist(n)
  return { images: Uint8Array.from({ length: n * 1024 }, (_, i) => (i * 2654435761) >>> 24), labels: Int32Array.from({ length: n }, (_, i) => i % 10) }
}
