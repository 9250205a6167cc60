import path from 'node:path'
import sharp, { type Sharp } from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { DatasetSettingsSchema } from '../../src-shared/dataset'
import { decodeImage, type DecodedImage, type DecodeResult } from './decode'
import { imageBytes, put, tempDir } from './testing/test-folders'

const settings = (over: Partial<ReturnType<typeof DatasetSettingsSchema.parse>> = {}) => DatasetSettingsSchema.parse({ imageSize: 20, ...over })

let dir: string
beforeAll(() => {
  dir = tempDir('decode')
})

async function decodeBytes(name: string, bytes: Buffer | string, over = {}): Promise<DecodeResult> {
  return decodeImage(put(dir, name, bytes), name, settings(over))
}

function ok(result: DecodeResult): DecodedImage {
  if (!result.ok) throw new Error(`expected a decoded image, got ${result.reason}: ${result.message}`)
  return result
}

/** RGB at (x, y) of a decoded square image. */
function rgbAt(image: DecodedImage, size: number, x: number, y: number): number[] {
  const i = (y * size + x) * image.channels
  return image.channels === 3 ? [...image.pixels.subarray(i, i + 3)] : [image.pixels[i], image.pixels[i], image.pixels[i]]
}

/** A w x h RGB image whose columns < split are `left` and the rest `right`. */
function twoColour(w: number, h: number, split: number, left: number[], right: number[]): Sharp {
  const raw = Buffer.alloc(w * h * 3)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(x < split ? left : right, (y * w + x) * 3)
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
}

const RED = [255, 0, 0]
const BLUE = [0, 0, 255]
const near = (actual: number[], expected: number[], tolerance = 12): boolean => actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance)

describe('preprocessing', () => {
  it('applies the EXIF orientation before cropping and reports the upright size', async () => {
    // Stored 20x10, red left half; orientation 6 displays it rotated 90° clockwise: 10x20, red on top.
    const jpeg = await twoColour(20, 10, 10, RED, BLUE).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer()
    const image = ok(await decodeBytes('exif.jpg', jpeg, { crop: 'pad', background: '#ffffff' }))
    expect([image.width, image.height]).toEqual([10, 20])
    expect(near(rgbAt(image, 20, 10, 3), RED, 40)).toBe(true)
    expect(near(rgbAt(image, 20, 10, 16), BLUE, 40)).toBe(true)
    expect(rgbAt(image, 20, 1, 10)).toEqual([255, 255, 255]) // padding
  })

  it('centre-crops by default and pads with the background when asked', async () => {
    const png = await twoColour(40, 20, 8, RED, BLUE).png().toBuffer()
    const cropped = ok(await decodeBytes('wide.png', png))
    expect(near(rgbAt(cropped, 20, 0, 10), BLUE)).toBe(true) // the red strip lies outside the centre square
    const padded = ok(await decodeBytes('wide.png', png, { crop: 'pad', background: '#000000' }))
    expect(near(rgbAt(padded, 20, 1, 10), RED)).toBe(true)
    expect(rgbAt(padded, 20, 10, 1)).toEqual([0, 0, 0])
  })

  it('crops and pads large sources the same way (they are shrunk by sharp, small ones in JS)', async () => {
    const png = await twoColour(200, 100, 40, RED, BLUE).png().toBuffer()
    const cropped = ok(await decodeBytes('large.png', png))
    expect(near(rgbAt(cropped, 20, 0, 10), BLUE)).toBe(true)
    const padded = ok(await decodeBytes('large.png', png, { crop: 'pad', background: '#000000' }))
    expect(near(rgbAt(padded, 20, 1, 10), RED)).toBe(true)
    expect(rgbAt(padded, 20, 10, 1)).toEqual([0, 0, 0])
  })

  it('converts CMYK to 8-bit sRGB', async () => {
    const cmyk = await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 220, g: 30, b: 30 } } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer()
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk')
    const image = ok(await decodeBytes('cmyk.jpg', cmyk))
    expect(image.channels).toBe(3)
    expect(near(rgbAt(image, 20, 5, 5), [220, 30, 30], 30)).toBe(true)
  })

  it('converts 16-bit images to 8 bits', async () => {
    const png16 = await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 200, g: 10, b: 10 } } })
      .toColourspace('rgb16')
      .png()
      .toBuffer()
    expect((await sharp(png16).metadata()).depth).toBe('ushort')
    const image = ok(await decodeBytes('deep.png', png16))
    expect(image.pixels.length).toBe(20 * 20 * 3)
    expect(near(rgbAt(image, 20, 3, 3), [200, 10, 10], 2)).toBe(true)
  })

  it('flattens transparency over the configured background', async () => {
    const clear = await imageBytes({ colour: { r: 0, g: 0, b: 0, alpha: 0 } })
    expect(rgbAt(ok(await decodeBytes('clear.png', clear, { background: '#00ff00' })), 20, 5, 5)).toEqual([0, 255, 0])
    const halfRed = await imageBytes({ colour: { r: 255, g: 0, b: 0, alpha: 0.5 } })
    expect(near(rgbAt(ok(await decodeBytes('half.png', halfRed, { background: '#ffffff' })), 20, 5, 5), [255, 128, 128], 3)).toBe(true)
  })

  it('keeps grey images as one channel and colour images as three', async () => {
    const grey = ok(
      await decodeBytes(
        'grey.png',
        await sharp(await imageBytes())
          .toColourspace('b-w')
          .png()
          .toBuffer(),
      ),
    )
    expect(grey.channels).toBe(1)
    expect(grey.pixels.length).toBe(20 * 20)
    const colour = ok(await decodeBytes('colour.png', await imageBytes()))
    expect(colour.channels).toBe(3)
    expect(colour.pixels.length).toBe(20 * 20 * 3)
  })

  it('reads WebP, TIFF and GIF, and only the first frame of an animated GIF', async () => {
    for (const format of ['webp', 'tiff', 'gif'] as const) {
      const image = ok(await decodeBytes(`solid.${format}`, await imageBytes({ format, colour: { r: 0, g: 0, b: 255 } })))
      expect(near(rgbAt(image, 20, 4, 4), BLUE, 8)).toBe(true)
    }
    const frames = await Promise.all([RED, BLUE].map((c) => imageBytes({ colour: { r: c[0], g: c[1], b: c[2] } })))
    const animated = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer()
    expect((await sharp(animated).metadata()).pages).toBe(2)
    const first = ok(await decodeBytes('animated.gif', animated))
    expect([first.width, first.height]).toEqual([16, 16])
    expect(near(rgbAt(first, 20, 4, 4), RED, 8)).toBe(true)
  })

  it('gives identical files the same content hash and different files different ones', async () => {
    const bytes = await imageBytes()
    const a = ok(await decodeBytes('a.png', bytes))
    const b = ok(await decodeBytes('b.png', bytes))
    const c = ok(await decodeBytes('c.png', await imageBytes()))
    expect(a.hash).toBe(b.hash)
    expect(a.hash).not.toBe(c.hash)
  })
})

describe('files that cannot be trained on', () => {
  it('reports a zero-byte file', async () => {
    expect(await decodeBytes('empty.png', Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'zero-bytes', path: 'empty.png' })
  })

  it('reports a text file named like an image', async () => {
    expect(await decodeBytes('notes.jpg', 'these are my notes, not a photo')).toMatchObject({ ok: false, reason: 'not-an-image' })
  })

  it('reports a truncated PNG and a truncated JPEG as unreadable', async () => {
    const png = await imageBytes({ width: 64, height: 64 })
    expect(await decodeBytes('cut.png', png.subarray(0, png.length >> 1))).toMatchObject({ ok: false, reason: 'unreadable' })
    const jpeg = await imageBytes({ width: 64, height: 64, format: 'jpeg' })
    const result = await decodeBytes('cut.jpg', jpeg.subarray(0, jpeg.length >> 1))
    expect(result).toMatchObject({ ok: false, reason: 'unreadable' })
    expect(!result.ok && result.message).toMatch(/truncated or corrupt/)
  })

  it('refuses an image over the pixel limit before decoding it', async () => {
    const result = await decodeBytes('big.png', await imageBytes({ width: 30, height: 30 }), { pixelLimit: 899 })
    expect(result).toMatchObject({ ok: false, reason: 'too-many-pixels' })
    expect(ok(await decodeBytes('big.png', await imageBytes({ width: 30, height: 30 }), { pixelLimit: 900 })).width).toBe(30)
  })

  it('reports a BMP as a format this build cannot decode', async () => {
    // A valid 1x1 24-bit BMP, byte by byte: file header, info header, one BGR pixel + padding.
    const bmp = Buffer.from([
      0x42, 0x4d, 58, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0x13, 0x0b, 0, 0, 0x13, 0x0b,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0,
    ])
    const result = await decodeBytes('old.bmp', bmp)
    expect(result).toMatchObject({ ok: false, reason: 'unsupported-format' })
    expect(!result.ok && result.message).toMatch(/BMP .*convert it to PNG/)
  })

  it('reports a file that no longer exists as vanished', async () => {
    expect(await decodeImage(path.join(dir, 'gone.png'), 'gone.png', settings())).toMatchObject({ ok: false, reason: 'vanished' })
  })
})
