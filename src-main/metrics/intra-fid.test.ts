import { describe, expect, it } from 'vitest'
import { classAgreement } from './class-agreement'
import { rowsByClass, type FeatureMatrix } from './feature-matrix'
import { frechetDistance } from './fid'
import { gaussianStats } from './gaussian'
import { intraFid } from './intra-fid'
import { seededNormal } from '../random'

function classFeatures(rows: number, cols: number, seed: number, classShift: (c: number) => number, labels: Int32Array): FeatureMatrix {
  const normal = seededNormal(seed)
  const data = new Float64Array(rows * cols)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = normal() + classShift(labels[i])
  return { rows, cols, data }
}

describe('intraFid', () => {
  const labels = Int32Array.from({ length: 600 }, (_, i) => i % 3)
  const real = classFeatures(600, 4, 1, (c) => c, labels)
  const realByClass = rowsByClass(real, labels, 3).map(gaussianStats)

  it('is the mean of the per-class FIDs, each computed within one class', () => {
    // Class 2 is generated at the wrong place; classes 0 and 1 are right.
    const fake = classFeatures(600, 4, 2, (c) => (c === 2 ? 5 : c), labels)
    const fakeByClass = rowsByClass(fake, labels, 3)
    const r = intraFid(realByClass, fakeByClass)
    expect(r.perClass.map((c) => c.classIndex)).toEqual([0, 1, 2])
    expect(r.perClass[2].fid).toBeGreaterThan(30)
    expect(r.perClass[0].fid).toBeLessThan(0.2)
    expect(r.mean).toBeCloseTo((r.perClass[0].fid + r.perClass[1].fid + r.perClass[2].fid) / 3, 12)
    expect(r.perClass[1].fid).toBeCloseTo(frechetDistance(rowsByClass(real, labels, 3)[1], fakeByClass[1]).fid, 12)
  })

  it('is low when the classes are right even though the overall set mixes them', () => {
    const fake = classFeatures(600, 4, 3, (c) => c, labels)
    expect(intraFid(realByClass, rowsByClass(fake, labels, 3)).mean).toBeLessThan(0.2)
  })

  it('leaves out a class with too few generated samples and says so', () => {
    const few = Int32Array.from({ length: 20 }, (_, i) => (i === 0 ? 2 : i % 2))
    const fake = classFeatures(20, 4, 4, (c) => c, few)
    const r = intraFid(realByClass, rowsByClass(fake, few, 3))
    expect(r.perClass.map((c) => c.classIndex)).toEqual([0, 1])
    expect(r.warnings[0]).toMatch(/class 2 left out/)
  })
})

describe('classAgreement', () => {
  it('is the share of generated images classified as their conditioning class', () => {
    expect(classAgreement([0, 1, 2, 2], [0, 1, 1, 2])).toBe(0.75)
  })
})
