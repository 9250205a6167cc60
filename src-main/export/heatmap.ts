// An attention map as a picture: weights over the key grid, normalised to
// their maximum, coloured dark-blue -> yellow, with alpha rising with weight
// so it can lie over the sample. Upscaled smoothly to the sample's size.
import sharp from 'sharp'

// A short perceptual ramp (viridis-like): [position, r, g, b].
const RAMP: [number, number, number, number][] = [
  [0, 48, 18, 59],
  [0.35, 50, 120, 200],
  [0.65, 70, 200, 120],
  [1, 250, 230, 40],
]

function colour(t: number): [number, number, number] {
  for (let i = 1; i < RAMP.length; i++) {
    const [p1, r1, g1, b1] = RAMP[i]
    const [p0, r0, g0, b0] = RAMP[i - 1]
    if (t <= p1) {
      const f = (t - p0) / (p1 - p0)
      return [r0 + f * (r1 - r0), g0 + f * (g1 - g0), b0 + f * (b1 - b0)]
    }
  }
  return [RAMP[RAMP.length - 1][1], RAMP[RAMP.length - 1][2], RAMP[RAMP.length - 1][3]]
}

/** map: [height, width] weights; returns a size x size RGBA PNG. */
export async function encodeHeatmap(map: Float32Array, width: number, height: number, size: number): Promise<Uint8Array> {
  let max = 0
  for (const v of map) max = Math.max(max, v)
  const rgba = new Uint8Array(width * height * 4)
  map.forEach((v, i) => {
    const t = max > 0 ? v / max : 0
    const [r, g, b] = colour(t)
    rgba.set([r, g, b, Math.round(60 + 195 * t)], i * 4)
  })
  const png = await sharp(rgba, { raw: { width, height, channels: 4 } })
    .resize(size, size, { kernel: 'cubic' })
    .png()
    .toBuffer()
  return new Uint8Array(png)
}

/** One uint8 image [size, size, channels] as a PNG, upscaled with nearest neighbour. */
export async function encodeImage(pixels: Uint8Array, size: number, channels: 1 | 3, outSize: number): Promise<Uint8Array> {
  const png = await sharp(pixels, { raw: { width: size, height: size, channels } })
    .resize(outSize, outSize, { kernel: 'nearest' })
    .png()
    .toBuffer()
  return new Uint8Array(png)
}
