// The decoded, resized dataset on disk, so a second run on the same folder
// starts in seconds. One file per dataset root in the caller's cache folder,
// named by the fingerprint; a changed folder has a new fingerprint, and the
// stale file of that root is removed when the new one is written.
//
// File layout: "SAGANDS1" | u32 LE header length | header JSON | zero padding
// to a multiple of 4 | labels Int32 LE [N] | pixels u8 [N, S, S, C].

import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { DatasetReportSchema } from '../../src-shared/dataset'
import type { LoadedDataset } from './loaded'

const MAGIC = Buffer.from('SAGANDS1', 'latin1')

const HeaderSchema = z.object({
  count: z.number().int().nonnegative(),
  classNames: z.array(z.string()),
  imageSize: z.number().int().positive(),
  channels: z.union([z.literal(1), z.literal(3)]),
  report: DatasetReportSchema,
})

/** Refuses a cache folder inside the dataset: the studio never writes into the user's folder. */
export async function assertOutsideDataset(cacheDir: string, root: string): Promise<void> {
  const rootReal = await fs.realpath(root)
  await fs.mkdir(cacheDir, { recursive: true })
  const cacheReal = await fs.realpath(cacheDir)
  const rel = path.relative(rootReal, cacheReal)
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new Error(
      `Cache folder ${cacheDir} is inside the dataset folder ${root}; the studio never writes into a dataset folder. Pass a cache folder outside it.`,
    )
  }
}

async function rootKey(root: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.realpath(root))
    .digest('hex')
    .slice(0, 16)
}

export async function cacheFile(cacheDir: string, root: string, fingerprint: string): Promise<string> {
  return path.join(cacheDir, `dataset-${await rootKey(root)}-${fingerprint}.bin`)
}

/** The cached dataset, or null when absent or unreadable (a damaged cache is simply rebuilt). */
export async function readCache(file: string): Promise<Omit<LoadedDataset, 'fromCache'> | null> {
  let bytes: Buffer
  try {
    bytes = await fs.readFile(file)
  } catch {
    return null
  }
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(MAGIC)) return null
  const headerLength = bytes.readUInt32LE(8)
  let header: z.infer<typeof HeaderSchema>
  try {
    header = HeaderSchema.parse(JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)))
  } catch {
    return null
  }
  const labelsAt = align4(12 + headerLength)
  const pixelsAt = labelsAt + header.count * 4
  const pixelCount = header.count * header.imageSize * header.imageSize * header.channels
  if (bytes.length !== pixelsAt + pixelCount) return null
  // Copy the small label array so it is aligned; the pixels are a view, not a copy.
  const labels = new Int32Array(header.count)
  for (let i = 0; i < header.count; i++) labels[i] = bytes.readInt32LE(labelsAt + i * 4)
  return {
    images: new Uint8Array(bytes.buffer, bytes.byteOffset + pixelsAt, pixelCount),
    labels,
    classNames: header.classNames,
    imageSize: header.imageSize,
    channels: header.channels,
    report: header.report,
  }
}

export async function writeCache(file: string, dataset: Omit<LoadedDataset, 'fromCache'>): Promise<void> {
  const { images, labels, classNames, imageSize, channels, report } = dataset
  const header = Buffer.from(JSON.stringify({ count: labels.length, classNames, imageSize, channels, report }), 'utf8')
  const prefix = Buffer.alloc(align4(12 + header.length))
  MAGIC.copy(prefix, 0)
  prefix.writeUInt32LE(header.length, 8)
  header.copy(prefix, 12)
  const labelBytes = Buffer.alloc(labels.length * 4)
  labels.forEach((label, i) => labelBytes.writeInt32LE(label, i * 4))

  // Write beside, then rename: a crash never leaves a half-written cache under the real name.
  const temp = `${file}.${process.pid}.tmp`
  const handle = await fs.open(temp, 'w')
  try {
    // writeFile on a handle writes every byte from the current position (write/writev may stop short).
    for (const part of [prefix, labelBytes, images]) await handle.writeFile(part)
  } finally {
    await handle.close()
  }
  await fs.rename(temp, file)
  await removeStale(file)
}

/** Other fingerprints of the same root are outdated: remove them so the cache does not grow. */
async function removeStale(current: string): Promise<void> {
  const dir = path.dirname(current)
  const name = path.basename(current)
  const prefix = name.slice(0, name.lastIndexOf('-') + 1)
  for (const other of await fs.readdir(dir)) {
    if (other !== name && other.startsWith(prefix) && other.endsWith('.bin')) await fs.rm(path.join(dir, other), { force: true })
  }
}

const align4 = (n: number): number => (n + 3) & ~3
