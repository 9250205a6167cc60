// One image file -> the square 8-bit pixels the model trains on.
// sharp does the work on libuv threads, so the main event loop stays free.
//
// Pipeline: EXIF orientation; CMYK / 16-bit / palette -> 8-bit sRGB; alpha
// flattened over the background; centre crop (or pad) to a square; resize
// with lanczos3 (a good downscale filter): sharp's for large sources, ours
// (resample.ts) for small ones.

import { createHash } from 'node:crypto'
import { promises as fs, readFileSync } from 'node:fs'
import { imageSize } from 'image-size'
import sharp, { type Sharp } from 'sharp'
import type { DatasetSettings, SkippedFile } from '../../src-shared/dataset'
import { DECODABLE_FORMATS, sniffFormat } from './formats'
import { fitSquare } from './resample'
import { skipFromDecodeError, skipFromFsError } from './skip'

export interface DecodedImage {
  ok: true
  /** [S, S, channels], row-major. */
  pixels: Uint8Array
  /** 1 when the image is grey (R = G = B within GREY_TOLERANCE), else 3. */
  channels: 1 | 3
  /** Source size after EXIF orientation. */
  width: number
  height: number
  /** Content hash of the file, for duplicate detection. */
  hash: string
}

export type DecodeResult = DecodedImage | ({ ok: false } & SkippedFile)

/** JPEG chroma noise can leave a grey photo a level or two off neutral. */
const GREY_TOLERANCE = 2

// libvips' operation cache only pays off for repeated identical operations;
// tens of thousands of distinct small images just fill it (measured: about
// half the CPU time per image goes away without it).
sharp.cache(false)

type PreprocessSettings = Pick<DatasetSettings, 'imageSize' | 'crop' | 'background' | 'pixelLimit'>

/** Files up to this size (as listed by the scan) are read synchronously; see readBytes. */
const SYNC_READ_MAX_BYTES = 256 * 1024

/**
 * The file's bytes. Small files are read synchronously: from the page cache
 * that takes tens of microseconds, while a promise-based read costs the main
 * thread 5-20 times more (measured: 20-28 µs vs 95-430 µs CPU per file, the
 * upper end when the libuv pool is busy with sharp). Large files stay async.
 */
async function readBytes(abs: string, listedSize: number | undefined): Promise<Buffer> {
  return listedSize !== undefined && listedSize <= SYNC_READ_MAX_BYTES ? readFileSync(abs) : fs.readFile(abs)
}

export async function decodeImage(abs: string, rel: string, settings: PreprocessSettings, listedSize?: number): Promise<DecodeResult> {
  let bytes: Buffer
  try {
    bytes = await readBytes(abs, listedSize)
  } catch (err) {
    return { ok: false, ...skipFromFsError(rel, err) }
  }
  if (bytes.length === 0) {
    return { ok: false, path: rel, reason: 'zero-bytes', message: 'The file is empty (0 bytes).' }
  }
  const format = sniffFormat(bytes)
  if (format === null) {
    return { ok: false, path: rel, reason: 'not-an-image', message: 'The name says image, but the content is not an image format.' }
  }
  if (!DECODABLE_FORMATS.has(format)) {
    return {
      ok: false,
      path: rel,
      reason: 'unsupported-format',
      message: `${format.toUpperCase()} cannot be decoded by this build; convert it to PNG to include it.`,
    }
  }
  try {
    // pages: 1 = first frame of an animated GIF/WebP or multi-page TIFF.
    const image = sharp(bytes, { autoOrient: true, failOn: 'error', limitInputPixels: settings.pixelLimit, pages: 1 })
    // The upright size from the header, parsed in JS: a sharp metadata() call costs
    // as much as a small image's decode. Only odd headers fall back to sharp.
    const { width, height } = headerSize(bytes) ?? (await image.metadata()).autoOrient
    if (width * height > settings.pixelLimit) {
      // Refused before the pixels are decoded.
      return skipOf(skipFromDecodeError(rel, new Error('Input image exceeds pixel limit')))
    }
    return {
      ok: true,
      ...(await toSquare(image, width, height, settings)),
      width,
      height,
      hash: createHash('sha1').update(bytes).digest('hex'),
    }
  } catch (err) {
    return skipOf(skipFromDecodeError(rel, err))
  }
}

/** Width and height after EXIF orientation, or null when the header is not understood. */
function headerSize(bytes: Buffer): { width: number; height: number } | null {
  try {
    const { width, height, orientation } = imageSize(bytes)
    // EXIF orientations 5-8 turn the image by 90 degrees.
    return orientation !== undefined && orientation >= 5 ? { width: height, height: width } : { width, height }
  } catch {
    return null
  }
}

/** Sources up to this many times the training area are resized in JS (see resample.ts). */
const JS_RESIZE_MAX_AREA = 4

async function toSquare(image: Sharp, width: number, height: number, settings: PreprocessSettings): Promise<Pick<DecodedImage, 'pixels' | 'channels'>> {
  const { imageSize: size, crop, background } = settings
  const rgb = image.flatten({ background }).toColourspace('srgb').removeAlpha()
  if (width * height > JS_RESIZE_MAX_AREA * size * size) {
    const fit = crop === 'center' ? 'cover' : 'contain'
    return ofRgb(await rgb.resize(size, size, { fit, position: 'centre', background, kernel: 'lanczos3' }).raw().toBuffer())
  }
  const { data, info } = await rgb.raw().toBuffer({ resolveWithObject: true })
  const fill = hexToRgb(background)
  // Grey content stays grey unless coloured padding is added: resize one channel instead of three.
  if (isGrey(data) && (crop === 'center' || isGrey(Uint8Array.from(fill)))) {
    return { pixels: fitSquare(greyChannel(data), info.width, info.height, 1, size, crop, [fill[0]]), channels: 1 }
  }
  return ofRgb(fitSquare(data, info.width, info.height, 3, size, crop, fill))
}

/** A square RGB image as 1 channel when it is grey, else 3. */
function ofRgb(rgb: Uint8Array): Pick<DecodedImage, 'pixels' | 'channels'> {
  return isGrey(rgb) ? { pixels: greyChannel(rgb), channels: 1 } : { pixels: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length), channels: 3 }
}

const hexToRgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))

const skipOf = (line: SkippedFile): DecodeResult => ({ ok: false, ...line })

function isGrey(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) {
    const r = rgb[i]
    if (Math.abs(r - rgb[i + 1]) > GREY_TOLERANCE || Math.abs(r - rgb[i + 2]) > GREY_TOLERANCE) return false
  }
  return true
}

function greyChannel(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3)
  for (let i = 0; i < out.length; i++) out[i] = Math.round((rgb[i * 3] + rgb[i * 3 + 1] + rgb[i * 3 + 2]) / 3)
  return out
}
