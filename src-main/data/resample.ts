// Square crop/pad and lanczos3 resize of a small decoded image, in JS.
//
// Why not sharp: a libvips resize costs about 1.5 ms of CPU per call however
// small the image (measured on 28x28 PNGs: 2.6 ms per image with the resize,
// 1.0 ms without), which alone would take 70 000 Fashion-MNIST images past a
// minute on two cores. For sources up to twice the training size this costs
// microseconds. Large sources keep sharp's resize, whose shrink-on-load makes
// big photos cheap (see decode.ts).

/** Lanczos windowed sinc, a = 3. */
function lanczos3(x: number): number {
  if (x === 0) return 1
  if (x <= -3 || x >= 3) return 0
  const px = Math.PI * x
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px)
}

interface Taps {
  /** For output i: source indices first[i] .. first[i] + count - 1 (clamped at the edges). */
  index: Int32Array // [outSize, count]
  weight: Float32Array // [outSize, count], each row sums to 1
  count: number
}

/** Filter taps mapping `inSize` samples to `outSize`, pixel centres aligned (as libvips and Pillow do). */
function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize
  const stretch = Math.max(1, scale) // widen the kernel when shrinking, to average rather than alias
  const support = 3 * stretch
  const count = Math.ceil(support) * 2 + 1
  const index = new Int32Array(outSize * count)
  const weight = new Float32Array(outSize * count)
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale - 0.5
    const first = Math.floor(centre - support) + 1
    let sum = 0
    for (let k = 0; k < count; k++) {
      const w = lanczos3((first + k - centre) / stretch)
      index[o * count + k] = Math.min(inSize - 1, Math.max(0, first + k))
      weight[o * count + k] = w
      sum += w
    }
    for (let k = 0; k < count; k++) weight[o * count + k] /= sum
  }
  return { index, weight, count }
}

/** Resizes src [h, w, c] to [outH, outW, c] (separable: rows first, then columns). */
export function resizeLanczos3(src: Uint8Array, w: number, h: number, c: number, outW: number, outH: number): Uint8Array {
  const horizontal = taps(w, outW)
  const vertical = taps(h, outH)
  const rows = new Float32Array(h * outW * c) // [h, outW, c]
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < outW; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0
        for (let k = 0; k < horizontal.count; k++) {
          const t = x * horizontal.count + k
          acc += horizontal.weight[t] * src[(y * w + horizontal.index[t]) * c + ch]
        }
        rows[(y * outW + x) * c + ch] = acc
      }
    }
  }
  const out = new Uint8ClampedArray(outH * outW * c) // rounds and clamps lanczos over- and undershoot
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0
        for (let k = 0; k < vertical.count; k++) {
          const t = y * vertical.count + k
          acc += vertical.weight[t] * rows[(vertical.index[t] * outW + x) * c + ch]
        }
        out[(y * outW + x) * c + ch] = acc
      }
    }
  }
  return new Uint8Array(out.buffer)
}

/**
 * A square [size, size, c] image from src [h, w, c]: 'center' scales the short
 * side to `size` and keeps the middle; 'pad' scales the long side to `size` and
 * fills the rest with `background` (one value per channel).
 */
export function fitSquare(src: Uint8Array, w: number, h: number, c: number, size: number, crop: 'center' | 'pad', background: readonly number[]): Uint8Array {
  const scale = crop === 'center' ? size / Math.min(w, h) : size / Math.max(w, h)
  const scaledW = Math.max(1, Math.round(w * scale))
  const scaledH = Math.max(1, Math.round(h * scale))
  const scaled = resizeLanczos3(src, w, h, c, scaledW, scaledH)
  if (scaledW === size && scaledH === size) return scaled
  const out = new Uint8Array(size * size * c)
  // Offset of the scaled image inside the square: negative when cropping, positive when padding.
  const dx = Math.floor((size - scaledW) / 2)
  const dy = Math.floor((size - scaledH) / 2)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = x - dx
      const sy = y - dy
      const inside = sx >= 0 && sx < scaledW && sy >= 0 && sy < scaledH
      for (let ch = 0; ch < c; ch++) out[(y * size + x) * c + ch] = inside ? scaled[(sy * scaledW + sx) * c + ch] : background[ch]
    }
  }
  return out
}
