import { CholeskyDecomposition, EigenvalueDecomposition, Matrix, inverse } from 'ml-matrix'
import { describe, expect, it } from 'vitest'
import type { FeatureMatrix } from './feature-matrix'
import { fidFromStats, frechetDistance } from './fid'
import { gaussianStats } from './gaussian'
import { numpyFid, probeNumpy } from './testing/numpy-reference'
import { seededNormal } from '../random'

function normalMatrix(rows: number, cols: number, seed: number): Matrix {
  const normal = seededNormal(seed)
  return Matrix.from1DArray(rows, cols, Float64Array.from({ length: rows * cols }, normal))
}

function toFeatures(m: Matrix): FeatureMatrix {
  return { rows: m.rows, cols: m.columns, data: Float64Array.from(m.to1DArray()) }
}

/** A random orthogonal basis: eigenvectors of a random symmetric matrix. */
function randomRotation(d: number, seed: number): Matrix {
  const a = normalMatrix(d, d, seed)
  return new EigenvalueDecomposition(a.add(a.transpose()), { assumeSymmetric: true }).eigenvectorMatrix
}

/** N samples whose SAMPLE mean and covariance are exactly `mean` and `cov` (to rounding). */
function samplesWithMoments(n: number, mean: number[], cov: Matrix, seed: number): FeatureMatrix {
  const x = normalMatrix(n, mean.length, seed)
  x.subRowVector(x.mean('column'))
  const empirical = x
    .transpose()
    .mmul(x)
    .div(n - 1)
  const whitened = x.mmul(inverse(new CholeskyDecomposition(empirical).lowerTriangularMatrix).transpose())
  const symmetric = cov.add(cov.transpose()).div(2) // rounding in Q diag Q^T leaves it a hair asymmetric
  const coloured = whitened.mmul(new CholeskyDecomposition(symmetric).lowerTriangularMatrix.transpose())
  return toFeatures(coloured.addRowVector(mean))
}

describe('frechetDistance', () => {
  it('is zero for a set against itself', () => {
    const x = toFeatures(normalMatrix(400, 16, 1))
    const { fid, warnings } = frechetDistance(x, x)
    expect(Math.abs(fid)).toBeLessThan(1e-9)
    expect(warnings).toEqual([])
  })

  it('matches the closed form |mu1-mu2|^2 + sum (sqrt a_i - sqrt b_i)^2 for Gaussians sharing eigenvectors', () => {
    const d = 12
    const q = randomRotation(d, 2)
    const a = Array.from({ length: d }, (_, i) => 0.5 + i)
    const b = Array.from({ length: d }, (_, i) => 3 + 0.25 * i * i)
    const c1 = q.mmul(Matrix.diag(a)).mmul(q.transpose())
    const c2 = q.mmul(Matrix.diag(b)).mmul(q.transpose())
    const mu1 = Array.from({ length: d }, (_, i) => Math.sin(i))
    const mu2 = Array.from({ length: d }, (_, i) => Math.cos(i))
    const x = samplesWithMoments(5000, mu1, c1, 3)
    const y = samplesWithMoments(5000, mu2, c2, 4)
    let expected = 0
    for (let i = 0; i < d; i++) expected += (mu1[i] - mu2[i]) ** 2 + (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2
    const { fid } = frechetDistance(x, y)
    expect(Math.abs(fid - expected) / expected).toBeLessThan(1e-6)
  })

  it('is symmetric in its arguments', () => {
    const x = toFeatures(normalMatrix(300, 10, 5))
    const y = toFeatures(normalMatrix(300, 10, 6).mmul(normalMatrix(10, 10, 7)))
    const xy = frechetDistance(x, y).fid
    const yx = frechetDistance(y, x).fid
    expect(xy).toBeGreaterThan(1)
    expect(Math.abs(xy - yx) / xy).toBeLessThan(1e-9)
  })

  it('gives the same value from cached statistics as from the features', () => {
    const x = toFeatures(normalMatrix(200, 8, 8))
    const y = toFeatures(normalMatrix(200, 8, 9).add(0.3))
    expect(fidFromStats(gaussianStats(x), gaussianStats(y)).fid).toBe(frechetDistance(x, y).fid)
  })

  it('stays finite and warns when there are fewer samples than dimensions', () => {
    const x = toFeatures(normalMatrix(20, 64, 10))
    const y = toFeatures(normalMatrix(20, 64, 11).add(1))
    const { fid, warnings } = frechetDistance(x, y)
    expect(Number.isFinite(fid)).toBe(true)
    expect(fid).toBeGreaterThan(64) // the mean term alone is about 64
    expect(warnings.join(' ')).toMatch(/singular covariance \(20 and 20 samples for 64 feature dimensions\)/)
    const self = frechetDistance(x, x)
    expect(Math.abs(self.fid)).toBeLessThan(1e-3)
  })

  const numpy = probeNumpy()
  const crossCheck = numpy.ok
    ? `agrees with an independent numpy implementation (${numpy.method} via ${numpy.python})`
    : `agrees with an independent numpy implementation — SKIPPED: ${numpy.reason}`
  it.skipIf(!numpy.ok)(crossCheck, () => {
    if (!numpy.ok) return
    const x = toFeatures(normalMatrix(500, 24, 12).mmul(normalMatrix(24, 24, 13)))
    const y = toFeatures(
      normalMatrix(400, 24, 14)
        .mmul(normalMatrix(24, 24, 15))
        .add(0.5),
    )
    const ours = frechetDistance(x, y).fid
    const theirs = numpyFid(numpy, x, y)
    expect(Math.abs(ours - theirs) / theirs).toBeLessThan(1e-6)
  })
})
