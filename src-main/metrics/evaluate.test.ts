import { describe, expect, it } from 'vitest'
import { metricLabel } from '../../src-shared/metrics'
import type { LabelledImages } from './dataset-classifier'
import { evaluate } from './evaluate'
import type { ExtractedFeatures, FeatureExtractor } from './extractor'
import { imageCount, resizeLabel, type ImageBatch } from './image-batch'
import { buildRealReference, restoreRealReference, serializeRealReference } from './real-reference'
import { seededNormal } from '../random'

const SIZE = 8

/** Images of class c are bright in quadrant c (of 4), dark elsewhere, with pixel noise. */
function quadrantImages(labels: Int32Array, seed: number): LabelledImages {
  const normal = seededNormal(seed)
  const images = new Uint8Array(labels.length * SIZE * SIZE)
  labels.forEach((c, i) => {
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const quadrant = (y < SIZE / 2 ? 0 : 2) + (x < SIZE / 2 ? 0 : 1)
        const v = (quadrant === c ? 200 : 40) + 20 * normal()
        images[i * SIZE * SIZE + y * SIZE + x] = Math.max(0, Math.min(255, Math.round(v)))
      }
    }
  })
  return { images, imageSize: SIZE, channels: 1, labels, numClasses: 4 }
}

/** A transparent stand-in for a trained network: features are the 16 mean values of 2x2 pixel blocks; class = brightest quadrant. */
const blockMeans: FeatureExtractor = {
  id: 'dataset-classifier',
  detail: '2x2 block means (test extractor)',
  inputSize: SIZE / 2,
  featureDim: 16,
  resize: (from) => resizeLabel(from, SIZE / 2),
  async extract(b: ImageBatch): Promise<ExtractedFeatures> {
    const n = imageCount(b)
    const data = new Float32Array(n * 16)
    const predictedClasses = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      const quadrant = [0, 0, 0, 0]
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          const v = b.images[i * SIZE * SIZE + y * SIZE + x] / 255
          data[i * 16 + (y >> 1) * 4 + (x >> 1)] += v / 4
          quadrant[(y < SIZE / 2 ? 0 : 2) + (x < SIZE / 2 ? 0 : 1)] += v
        }
      }
      predictedClasses[i] = quadrant.indexOf(Math.max(...quadrant))
    }
    return { features: { rows: n, cols: 16, data }, predictedClasses }
  },
  dispose: () => {},
}

const labelsOf = (n: number) => Int32Array.from({ length: n }, (_, i) => i % 4)

describe('evaluate', () => {
  it('returns every metric with how it was computed, and matching images score better than mismatched ones', async () => {
    const real = await buildRealReference(blockMeans, quadrantImages(labelsOf(800), 1), { kidSamples: 400 })
    const good = { ...quadrantImages(labelsOf(400), 2) }
    const wrongClass = {
      ...quadrantImages(
        labelsOf(400).map((c) => (c + 1) % 4),
        3,
      ),
      labels: labelsOf(400),
    }
    const a = await evaluate({ step: 50, extractor: blockMeans, real, fake: good, kid: { subsets: 10 } })
    const b = await evaluate({ step: 50, extractor: blockMeans, real, fake: wrongClass, kid: { subsets: 10 } })
    const byName = (r: typeof a, name: string) => r.values.find((v) => v.name === name)!

    expect(a.values.map((v) => v.name)).toEqual(['fid', 'kid', 'intra_fid', 'class_fid', 'class_fid', 'class_fid', 'class_fid', 'class_agreement'])
    expect(byName(a, 'fid')).toMatchObject({ step: 50, extractor: 'dataset-classifier', nReal: 800, nFake: 400, imageSize: 4, resize: 'area 8->4' })
    expect(byName(a, 'kid')).toMatchObject({ nReal: 400, nFake: 400, std: expect.any(Number) })
    expect(a.values.filter((v) => v.name === 'class_fid').map((v) => [v.classIndex, v.nReal, v.nFake])).toEqual([
      [0, 200, 100],
      [1, 200, 100],
      [2, 200, 100],
      [3, 200, 100],
    ])
    expect(metricLabel(byName(a, 'fid'))).toMatch(/not comparable to published Inception FIDs/)

    // Same overall image distribution, wrong class for every label: FID and KID cannot tell,
    // intra-FID and class agreement can.
    expect(byName(a, 'class_agreement').value).toBe(1)
    expect(byName(b, 'class_agreement').value).toBe(0)
    expect(byName(b, 'intra_fid').value).toBeGreaterThan(10 * byName(a, 'intra_fid').value)
    expect(byName(b, 'fid').value).toBeLessThan(2 * byName(a, 'fid').value + 0.01)
  })

  it('gives only FID and KID for an unconditional run', async () => {
    const data = { ...quadrantImages(labelsOf(300), 4), numClasses: 1, labels: new Int32Array(300) }
    const real = await buildRealReference(blockMeans, data)
    const { labels: _, ...fake } = quadrantImages(labelsOf(100), 5)
    const r = await evaluate({ step: 1, extractor: blockMeans, real, fake, kid: { subsets: 5 } })
    expect(r.values.map((v) => v.name)).toEqual(['fid', 'kid'])
  })

  it('evaluates the same from a real-image reference restored from its bytes', async () => {
    const real = await buildRealReference(blockMeans, quadrantImages(labelsOf(200), 6), { kidSamples: 100 })
    const restored = restoreRealReference(serializeRealReference(real))
    const fake = quadrantImages(labelsOf(100), 7)
    const a = await evaluate({ step: 3, extractor: blockMeans, real, fake, kid: { subsets: 5 } })
    const b = await evaluate({ step: 3, extractor: blockMeans, real: restored, fake, kid: { subsets: 5 } })
    expect(b.values).toEqual(a.values)
  })

  it('skips intra-FID with a warning when the features are too wide to fit per class in time', async () => {
    const real = await buildRealReference(blockMeans, quadrantImages(labelsOf(200), 10))
    const wide = { ...blockMeans, featureDim: 2048 }
    const r = await evaluate({ step: 0, extractor: wide, real, fake: quadrantImages(labelsOf(100), 11), kid: { subsets: 5 } })
    expect(r.values.map((v) => v.name)).toEqual(['fid', 'kid'])
    expect(r.warnings.join(' ')).toMatch(/intra-FID skipped/)
  })

  it('refuses a real-image reference made with another extractor', async () => {
    const real = await buildRealReference(blockMeans, quadrantImages(labelsOf(100), 8))
    const other = { ...blockMeans, id: 'inception-v3-pool3' as const }
    await expect(evaluate({ step: 0, extractor: other, real, fake: quadrantImages(labelsOf(10), 9) })).rejects.toThrow(/rebuild it/)
  })
})
