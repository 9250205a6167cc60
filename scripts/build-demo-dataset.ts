// Builds an image folder from Debian's dataset-fashion-mnist (IDX files).
//
//   npx tsx scripts/build-demo-dataset.ts                 # the committed demo: 120 train images per class
//   npx tsx scripts/build-demo-dataset.ts --out DIR --all # all 70 000 images (train + test), for benchmarks
//
// Class folders carry the Fashion-MNIST label as a prefix ("0-T-shirt-top" ...
// "9-Ankle-boot"): the studio orders classes by folder name, so the prefix
// keeps its labels equal to the official ones (comparable with other code).

import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import sharp from 'sharp'
import { DECODE_CONCURRENCY, mapLimit } from '../src-main/data/pool'

export const FASHION_MNIST_CLASSES = [
  '0-T-shirt-top',
  '1-Trouser',
  '2-Pullover',
  '3-Dress',
  '4-Coat',
  '5-Sandal',
  '6-Shirt',
  '7-Sneaker',
  '8-Bag',
  '9-Ankle-boot',
]

const IDX_IMAGES = 0x00000803 // unsigned bytes, 3 dimensions
const IDX_LABELS = 0x00000801 // unsigned bytes, 1 dimension

interface Split {
  name: 'train' | 't10k'
  images: Uint8Array // [N, 28, 28]
  labels: Uint8Array // [N]
  side: number
}

function readIdx(file: string, magic: number): { dims: number[]; data: Uint8Array } {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch {
    throw new Error(`${file} is missing: install it with "apt-get install -y dataset-fashion-mnist", or pass --source DIR.`)
  }
  if (file.endsWith('.gz')) bytes = gunzipSync(bytes)
  if (bytes.readUInt32BE(0) !== magic) throw new Error(`${file} is not an IDX file of the expected kind (magic 0x${magic.toString(16)}).`)
  const dims = Array.from({ length: magic & 0xff }, (_, i) => bytes.readUInt32BE(4 + i * 4))
  const length = dims.reduce((a, b) => a * b, 1)
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + 4 + dims.length * 4, length) }
}

function readSplit(source: string, name: Split['name']): Split {
  const images = readIdx(path.join(source, `${name}-images-idx3-ubyte.gz`), IDX_IMAGES)
  const labels = readIdx(path.join(source, `${name}-labels-idx1-ubyte.gz`), IDX_LABELS)
  if (images.dims[0] !== labels.dims[0]) throw new Error(`${source}: ${name} has ${images.dims[0]} images but ${labels.dims[0]} labels.`)
  return { name, images: images.data, labels: labels.data, side: images.dims[1] }
}

/** Indices of the first `perClass` images of each class, in file order (deterministic). */
function firstPerClass(labels: Uint8Array, perClass: number): number[] {
  const taken = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0)
  const picks: number[] = []
  labels.forEach((label, i) => {
    if (taken[label] < perClass) {
      taken[label]++
      picks.push(i)
    }
  })
  return picks
}

async function writeImages(split: Split, indices: number[], out: string): Promise<void> {
  for (const name of FASHION_MNIST_CLASSES) mkdirSync(path.join(out, name), { recursive: true })
  const pixels = split.side * split.side
  await mapLimit(indices, DECODE_CONCURRENCY, async (i) => {
    const file = path.join(out, FASHION_MNIST_CLASSES[split.labels[i]], `${split.name}-${String(i).padStart(5, '0')}.png`)
    await sharp(split.images.subarray(i * pixels, (i + 1) * pixels), { raw: { width: split.side, height: split.side, channels: 1 } })
      .png({ compressionLevel: 9 })
      .toFile(file)
  })
}

export interface BuildOptions {
  out: string
  source?: string
  /** Every image of both splits instead of the first `perClass` of the train split. */
  all?: boolean
  perClass?: number
}

export async function buildFashionMnistFolder(opts: BuildOptions): Promise<number> {
  const source = opts.source ?? '/usr/share/datasets/fashion-mnist'
  const train = readSplit(source, 'train')
  if (!opts.all) {
    const picks = firstPerClass(train.labels, opts.perClass ?? 120)
    await writeImages(train, picks, opts.out)
    return picks.length
  }
  const test = readSplit(source, 't10k')
  await writeImages(train, [...train.labels.keys()], opts.out)
  await writeImages(test, [...test.labels.keys()], opts.out)
  return train.labels.length + test.labels.length
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'resources/demo-dataset/fashion-mnist' },
      source: { type: 'string' },
      'per-class': { type: 'string', default: '120' },
      all: { type: 'boolean', default: false },
    },
  })
  const out = path.resolve(values.out)
  const started = performance.now()
  const count = await buildFashionMnistFolder({ out, source: values.source, all: values.all, perClass: Number(values['per-class']) })
  console.log(`Wrote ${count} Fashion-MNIST images to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
