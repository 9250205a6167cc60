// Builders for the dataset folders the tests generate: real images written
// by sharp, broken ones written byte by byte. Test-only.

import { lstatSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sharp from 'sharp'

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `sagan-${prefix}-`))
}

interface ImageSpec {
  width?: number
  height?: number
  /** Solid colour, or 'noise' for random content (distinct files, realistic JPEG sizes). */
  colour?: { r: number; g: number; b: number; alpha?: number } | 'noise'
  format?: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff'
}

export async function imageBytes(spec: ImageSpec = {}): Promise<Buffer> {
  const { width = 16, height = 16, colour = 'noise', format = 'png' } = spec
  const image =
    colour === 'noise'
      ? sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
      : sharp({ create: { width, height, channels: colour.alpha === undefined ? 3 : 4, background: colour } })
  return image.toFormat(format).toBuffer()
}

/** Writes `bytes` at root/rel, creating folders. */
export function put(root: string, rel: string, bytes: Buffer | string): string {
  const file = path.join(root, rel)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, bytes)
  return file
}

export async function putImage(root: string, rel: string, spec: ImageSpec = {}): Promise<string> {
  return put(root, rel, await imageBytes(spec))
}

/** Every file under `root` with its size and mtime: proof that nothing was written there. */
export function snapshot(root: string): string {
  const lines: string[] = []
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const abs = path.join(dir, name)
      const st = lstatSync(abs)
      lines.push(`${path.relative(root, abs)}\t${st.size}\t${st.mtimeMs}\t${st.mode}`)
      if (st.isDirectory()) walk(abs)
    }
  }
  walk(root)
  return lines.join('\n')
}
