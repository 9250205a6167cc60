import { describe, expect, it } from 'vitest'
import type { FeatureMatrix } from './feature-matrix'
import { COLLAPSE_WARNING_FRACTION, memorisationRatio, nearDuplicates, nearestReal, pairwiseDistances, quantile, realNeighbourhood } from './sample-health'
import { seededNormal } from '../random'

const DIM = 16

function featureMatrix(rows: number, cols: number, data: FeatureMatrix['data']): FeatureMatrix {
  expect(data.length).toBe(rows * cols)
  return { rows, cols, data }
}
const CLASSES = 4

/** Class c's features: a Gaussian around its own centre, spread 1 per dimension. */
function draw(perClass: number, seed: number, spread = 1): { features: FeatureMatrix; labels: Int32Array } {
  const normal = seededNormal(seed)
  const centre = (c: number, k: number) => (k % CLASSES === c ? 6 : 0)
  const labels = Int32Array.from({ length: perClass * CLASSES }, (_, i) => Math.floor(i / perClass))
  const data = Float64Array.from({ length: labels.length * DIM }, (_, j) => centre(labels[Math.floor(j / DIM)], j % DIM) + spread * normal())
  return { features: featureMatrix(labels.length, DIM, data), labels }
}

describe('sample health numerics', () => {
  it('pairwise distances equal a naive Euclidean loop', () => {
    const a = draw(3, 1).features
    const b = draw(2, 2).features
    const d = pairwiseDistances(a, b)
    for (let i = 0; i < a.rows; i++) {
      for (let j = 0; j < b.rows; j++) {
        let s = 0
        for (let k = 0; k < DIM; k++) s += (a.data[i * DIM + k] - b.data[j * DIM + k]) ** 2
        expect(d[i * b.rows + j]).toBeCloseTo(Math.sqrt(s), 9)
      }
    }
  })

  it("quantiles interpolate linearly like numpy's default", () => {
    expect(quantile([4, 1, 3, 2], 0.25)).toBeCloseTo(1.75, 12) // numpy.quantile([1,2,3,4], 0.25)
    expect(quantile([4, 1, 3, 2], 0.5)).toBeCloseTo(2.5, 12)
    expect(quantile([7], 0.01)).toBe(7)
  })

  it('nearest real rows come back nearest first with their distances', () => {
    const real = featureMatrix(3, 1, Float64Array.from([0, 10, 3]))
    const fake = featureMatrix(2, 1, Float64Array.from([2, 9]))
    const n = nearestReal(fake, real, 2)
    expect([...n.index]).toEqual([2, 0, 1, 2])
    expect([...n.distance]).toEqual([1, 2, 1, 6])
  })
})

describe('collapse and memorisation checks against constructed sets', () => {
  const real = draw(100, 11)
  const hood = realNeighbourhood(real.features, real.labels)

  it('finds about 1% near-duplicate pairs in a diverse set drawn like the real one, and no collapse', () => {
    const diverse = draw(8, 12) // the gallery's 8 per class
    const dup = nearDuplicates(diverse.features, diverse.labels, hood.nearDuplicateDistance)
    expect(dup.pairsChecked).toBe(CLASSES * 28)
    expect(dup.fraction).toBeLessThan(COLLAPSE_WARNING_FRACTION)
  })

  it('flags a collapsed set (every sample of a class nearly the same) pair by pair', () => {
    const collapsed = draw(8, 13, 0.02)
    // Move class 3 away from collapse: its samples are as varied as real ones.
    const varied = draw(8, 14)
    collapsed.features.data.set(varied.features.data.subarray(24 * DIM), 24 * DIM)
    const dup = nearDuplicates(collapsed.features, collapsed.labels, hood.nearDuplicateDistance)
    expect(dup.fraction).toBeGreaterThanOrEqual(0.74) // 3 of 4 classes fully collapsed: 84 of 112 pairs
    expect(dup.samples.filter((s) => s < 24)).toEqual(Array.from({ length: 24 }, (_, i) => i))
    expect(dup.pairs.every((p) => p.a < p.b && p.distance < hood.nearDuplicateDistance)).toBe(true)
    expect(dup.pairs.map((p) => p.distance)).toEqual([...dup.pairs.map((p) => p.distance)].sort((x, y) => x - y))
  })

  it('puts copies of training images below ratio 1 and fresh samples near 1', () => {
    const copies = featureMatrix(
      40,
      DIM,
      real.features.data.slice(0, 40 * DIM).map((v, j) => v + 0.01 * Math.sin(j)),
    )
    const copied = nearestReal(copies, real.features, 1)
    expect([...copied.index]).toEqual(Array.from({ length: 40 }, (_, i) => i))
    expect(memorisationRatio(copied, 40, hood)).toBeLessThan(0.1)

    const fresh = draw(100, 15).features
    const ratio = memorisationRatio(nearestReal(fresh, real.features, 1), fresh.rows, hood)
    expect(ratio).toBeGreaterThan(0.85)
    expect(ratio).toBeLessThan(1.2)
  })

  it('compares every pair of an unconditional set', () => {
    const all = draw(5, 16).features
    expect(nearDuplicates(all, undefined, 0).pairsChecked).toBe((20 * 19) / 2)
    expect(realNeighbourhood(all).realPairs).toBe((20 * 19) / 2)
  })
})
