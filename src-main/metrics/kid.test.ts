import { describe, expect, it } from 'vitest'
import type { FeatureMatrix } from './feature-matrix'
import { kernelInceptionDistance } from './kid'
import { seededNormal } from '../random'

function gaussianFeatures(rows: number, cols: number, seed: number, shift = 0, scale = 1): FeatureMatrix {
  const normal = seededNormal(seed)
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => shift + scale * normal()) }
}

describe('kernelInceptionDistance', () => {
  it('is near zero for two samples of one distribution', () => {
    const r = kernelInceptionDistance(gaussianFeatures(400, 32, 1), gaussianFeatures(400, 32, 2), { subsets: 20, maxSubsetSize: 200 })
    expect(Math.abs(r.kid)).toBeLessThan(3 * r.std + 1e-3)
    expect(Math.abs(r.kid)).toBeLessThan(0.02)
  })

  it('is clearly positive for samples of different distributions', () => {
    const same = kernelInceptionDistance(gaussianFeatures(400, 32, 3), gaussianFeatures(400, 32, 4), { subsets: 20, maxSubsetSize: 200 })
    const shifted = kernelInceptionDistance(gaussianFeatures(400, 32, 3), gaussianFeatures(400, 32, 5, 0.5, 1.3), { subsets: 20, maxSubsetSize: 200 })
    expect(shifted.kid).toBeGreaterThan(10 * shifted.std)
    expect(shifted.kid).toBeGreaterThan(20 * Math.abs(same.kid))
  })

  it('uses subsets no larger than the smaller set and is reproducible for a seed', () => {
    const a = gaussianFeatures(50, 8, 6)
    const b = gaussianFeatures(30, 8, 7, 0.2)
    const r1 = kernelInceptionDistance(a, b, { subsets: 5, seed: 9 })
    const r2 = kernelInceptionDistance(a, b, { subsets: 5, seed: 9 })
    expect(r1.subsetSize).toBe(30)
    expect(r1).toEqual(r2)
  })

  it('equals the full unbiased MMD^2 when one subset holds every sample', () => {
    const a = gaussianFeatures(6, 3, 10)
    const b = gaussianFeatures(6, 3, 11, 0.4)
    const k = (x: FeatureMatrix, i: number, y: FeatureMatrix, j: number) => {
      let dot = 0
      for (let t = 0; t < 3; t++) dot += x.data[i * 3 + t] * y.data[j * 3 + t]
      return (dot / 3 + 1) ** 3
    }
    let xx = 0
    let yy = 0
    let xy = 0
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        if (i !== j) xx += k(a, i, a, j)
        if (i !== j) yy += k(b, i, b, j)
        xy += k(a, i, b, j)
      }
    }
    const expected = (xx + yy) / 30 - (2 * xy) / 36
    expect(kernelInceptionDistance(a, b, { subsets: 1 }).kid).toBeCloseTo(expected, 10)
  })
})
