import * as tf from '@tensorflow/tfjs-core'

/** uint8 images [N, imageSize, imageSize, channels], as the dataset loader and the sampler hold them. */
export interface ImageBatch {
  images: Uint8Array
  imageSize: number
  channels: 1 | 3
}

export function imageCount(b: ImageBatch): number {
  const per = b.imageSize * b.imageSize * b.channels
  if (b.images.length % per !== 0)
    throw new Error(`image bytes (${b.images.length}) are not a whole number of ${b.imageSize}x${b.imageSize}x${b.channels} images`)
  return b.images.length / per
}

/** Images start..end-1 (a view, no copy). */
export function sliceImages(b: ImageBatch, start: number, end: number): ImageBatch {
  const per = b.imageSize * b.imageSize * b.channels
  return { ...b, images: b.images.subarray(start * per, end * per) }
}

/** Images at the listed indices, in that order (a copy). */
export function pickImages(b: ImageBatch, indices: ArrayLike<number>): ImageBatch {
  const per = b.imageSize * b.imageSize * b.channels
  const out = new Uint8Array(indices.length * per)
  for (let k = 0; k < indices.length; k++) out.set(b.images.subarray(indices[k] * per, (indices[k] + 1) * per), k * per)
  return { ...b, images: out }
}

/** How images of side `from` are brought to side `to`, as stored with every metric value. */
export function resizeLabel(from: number, to: number): string {
  if (from === to) return 'none'
  if (from > to && from % to === 0) return `area ${from}->${to}`
  return `bilinear ${from}->${to}`
}

/**
 * uint8 [N, S, S, C] -> float32 [N, size, size, C] scaled to `range`. Downscaling by an integer
 * factor averages pixel blocks (area); anything else is bilinear (tfjs has no antialiasing).
 */
export function imagesToTensor(b: ImageBatch, size: number, range: [number, number]): tf.Tensor4D {
  const n = imageCount(b)
  return tf.tidy(() => {
    let x = tf.tensor4d(Float32Array.from(b.images), [n, b.imageSize, b.imageSize, b.channels])
    const s = b.imageSize
    if (s > size && s % size === 0) {
      const f = s / size
      x = tf.mean(tf.reshape(x, [n, size, f, size, f, b.channels]), [2, 4]) as tf.Tensor4D
    } else if (s !== size) {
      x = tf.image.resizeBilinear(x, [size, size], true)
    }
    const [lo, hi] = range
    return tf.add(tf.mul(x, (hi - lo) / 255), lo) as tf.Tensor4D
  })
}
