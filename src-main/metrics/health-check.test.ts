import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../engine/backend'
import type { LabelledImages } from './dataset-classifier'
import { DatasetClassifier } from './dataset-classifier'
import { fashionMnistMissing, loadFashionMnist } from '../testing/fashion-mnist'
import { buildRealSet, checkSampleHealth, neighbourImages, type RealSet } from './health-check'
import { pickImages } from './image-batch'
import { COLLAPSE_WARNING_FRACTION } from './sample-health'
import { seededNormal } from '../random'

const missing = fashionMnistMissing()

/** 8 images per class, class-major like the gallery grid: the first 8 of each class from `from`. */
function gridOf(from: LabelledImages): LabelledImages {
  const picked: number[] = []
  for (let c = 0; c < 10; c++) picked.push(...[...from.labels.keys()].filter((i) => from.labels[i] === c).slice(0, 8))
  return { ...pickImages(from, picked), labels: Int32Array.from(picked, (i) => from.labels[i]), numClasses: 10 }
}

describe.skipIf(missing !== null)(`sample health on Fashion-MNIST features${missing ? ` — SKIPPED: ${missing}` : ''}`, () => {
  let extractor: DatasetClassifier
  let train: LabelledImages
  let realSet: RealSet
  const heldOut = () => loadFashionMnist('t10k', 400)

  beforeAll(async () => {
    await initBackend('wasm')
    train = loadFashionMnist('train', 1000)
    // A short training: the checks need features that group the classes, not a good classifier.
    extractor = await DatasetClassifier.train(train, { epochs: 1, seed: 3 })
    realSet = await buildRealSet(extractor, train)
  })

  async function check(grid: LabelledImages, fake: LabelledImages = grid) {
    const g = await extractor.extract(grid)
    const f = await extractor.extract(fake)
    return checkSampleHealth({
      step: 1,
      weights: 'ema',
      extractor,
      resize: 'none',
      realSet,
      grid: { features: g.features, labels: grid.labels, columns: 8 },
      fake: f.features,
    })
  }

  it('finds no collapse in a diverse grid (real test-split images) and a ratio near 1', async () => {
    const diverse = gridOf(heldOut())
    const { health, values } = await check(diverse, heldOut())
    expect(health.duplicates.pairsChecked).toBe(10 * 28)
    expect(health.duplicates.fraction).toBeLessThan(COLLAPSE_WARNING_FRACTION)
    expect(health.duplicates.warning).toBeNull()
    expect(health.memorisation.ratio).toBeGreaterThan(0.8)
    expect(health.memorisation.ratio).toBeLessThan(1.5)
    expect(values.map((v) => [v.name, v.extractor, v.nReal])).toEqual([
      ['near_duplicate_fraction', 'dataset-classifier', 1000],
      ['nearest_real_ratio', 'dataset-classifier', 1000],
    ])
  })

  it('warns of collapse when each class row is one image with faint noise, and marks every sample of it', async () => {
    const base = gridOf(heldOut())
    const normal = seededNormal(5)
    const per = 28 * 28
    const collapsed = new Uint8Array(base.images.length)
    for (let i = 0; i < 80; i++) {
      const first = Math.floor(i / 8) * 8 // every sample of a row copies the row's first image
      for (let p = 0; p < per; p++) collapsed[i * per + p] = Math.min(255, Math.max(0, Math.round(base.images[first * per + p] + 3 * normal())))
    }
    const { health } = await check({ ...base, images: collapsed })
    expect(health.duplicates.fraction).toBeGreaterThan(0.9)
    expect(health.duplicates.warning).toMatch(/^Possible mode collapse: \d+% of same-class pairs in the fixed-noise grid/)
    expect(health.duplicates.samples).toHaveLength(80)
  })

  it('finds the training image a sample copies, at distance 0, and a ratio far below 1', async () => {
    const copies = gridOf(train)
    const { health, nearest } = await check(copies)
    expect(health.memorisation.ratio).toBeLessThan(0.05)
    const firstRow = [...train.labels.keys()].filter((i) => train.labels[i] === 0).slice(0, 8)
    expect(Array.from({ length: 8 }, (_, s) => realSet.indices[nearest.index[s * nearest.k]])).toEqual(firstRow)
    expect(nearest.distance[0]).toBeCloseTo(0, 4)
    // The neighbours' pixels are the training images themselves.
    const pixels = neighbourImages(train, realSet, nearest)
    expect(Array.from(pixels.subarray(0, 28 * 28))).toEqual(Array.from(train.images.subarray(firstRow[0] * 28 * 28, (firstRow[0] + 1) * 28 * 28)))
  })
})
