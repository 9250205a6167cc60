import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { fitSquare, resizeLanczos3 } from './resample'

/** A smooth RGB test pattern [h, w, 3]: gradients plus a soft diagonal wave. */
function pattern(w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3
      out[i] = Math.round((255 * x) / (w - 1))
      out[i + 1] = Math.round((255 * y) / (h - 1))
      out[i + 2] = Math.round(127.5 + 127.5 * Math.sin((x + y) / 3))
    }
  }
  return out
}

async function sharpFit(src: Uint8Array, w: number, h: number, size: number, fit: 'cover' | 'contain'): Promise<Uint8Array> {
  return sharp(src, { raw: { width: w, height: h, channels: 3 } })
    .resize(size, size, { fit, position: 'centre', background: '#000000', kernel: 'lanczos3' })
    .raw()
    .toBuffer()
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i])
  return sum / a.length
}

describe('JS lanczos3 resize', () => {
  it('keeps a constant image constant and an identity resize exact', () => {
    const flat = new Uint8Array(7 * 5 * 3).fill(200)
    expect(resizeLanczos3(flat, 7, 5, 3, 11, 3).every((v) => v === 200)).toBe(true)
    const src = pattern(9, 6)
    expect(resizeLanczos3(src, 9, 6, 3, 9, 6)).toEqual(src)
  })

  // Downscaling: libvips and this code both align pixel centres, so they agree.
  for (const [w, h, size] of [
    [56, 56, 32],
    [30, 50, 16],
  ]) {
    it(`matches sharp's lanczos3 when shrinking ${w}x${h} -> ${size}, cropped and padded`, async () => {
      const src = pattern(w, h)
      const cropped = fitSquare(src, w, h, 3, size, 'center', [0, 0, 0])
      const padded = fitSquare(src, w, h, 3, size, 'pad', [0, 0, 0])
      expect(cropped.length).toBe(size * size * 3)
      expect(meanAbsDiff(cropped, await sharpFit(src, w, h, size, 'cover'))).toBeLessThan(3)
      expect(meanAbsDiff(padded, await sharpFit(src, w, h, size, 'contain'))).toBeLessThan(3)
    })
  }

  // Enlarging: libvips shifts the image by half a source pixel; this code keeps centres aligned.
  it('keeps a mirror-symmetric image symmetric when enlarging 28 -> 32', () => {
    const src = pattern(28, 28)
    for (let y = 0; y < 28; y++) for (let x = 14; x < 28; x++) src.set(src.subarray((y * 28 + 27 - x) * 3, (y * 28 + 28 - x) * 3), (y * 28 + x) * 3)
    const out = fitSquare(src, 28, 28, 3, 32, 'center', [0, 0, 0])
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 16; x++) {
        expect([...out.subarray((y * 32 + x) * 3, (y * 32 + x + 1) * 3)]).toEqual([...out.subarray((y * 32 + 31 - x) * 3, (y * 32 + 32 - x) * 3)])
      }
    }
  })
})
