import { EigenvalueDecomposition, Matrix } from 'ml-matrix'
import type { FeatureMatrix } from './feature-matrix'
import { gaussianStats, type GaussianStats } from './gaussian'

export interface FidResult {
  fid: number
  warnings: string[]
}

interface FidOptions {
  /** Offset added to both covariances when one is singular (pytorch-fid and the TTUR code use 1e-6). */
  eps?: number
}

/** Fréchet distance between Gaussian fits of two feature sets: |mu1 - mu2|^2 + Tr(C1 + C2 - 2 (C1 C2)^(1/2)). */
export function frechetDistance(a: FeatureMatrix, b: FeatureMatrix, options: FidOptions = {}): FidResult {
  return fidFromStats(gaussianStats(a), gaussianStats(b), options)
}

/**
 * FID from cached statistics. Tr (C1 C2)^(1/2) is computed as Tr (S C2 S)^(1/2) with S = C1^(1/2):
 * S C2 S is symmetric positive semi-definite and has the same eigenvalues as C1 C2, so two symmetric
 * eigendecompositions replace the general (and less stable) sqrtm of a non-symmetric product.
 */
export function fidFromStats(s1: GaussianStats, s2: GaussianStats, options: FidOptions = {}): FidResult {
  const eps = options.eps ?? 1e-6
  const d = s1.dim
  if (s2.dim !== d) throw new Error(`FID needs features of one dimension, got ${d} and ${s2.dim}`)
  const warnings: string[] = []

  let meanTerm = 0
  for (let j = 0; j < d; j++) meanTerm += (s1.mean[j] - s2.mean[j]) ** 2
  let traceTerm = 0
  for (let j = 0; j < d; j++) traceTerm += s1.cov[j * d + j] + s2.cov[j * d + j]

  const c1 = toMatrix(s1.cov, d)
  const c2 = toMatrix(s2.cov, d)
  const e1 = symmetricEigen(c1)
  const singular = s1.n <= d || s2.n <= d || Math.min(...e1.values) <= 1e-12 * Math.max(...e1.values)
  if (singular) {
    // The standard remedy (TTUR reference code, pytorch-fid): offset both covariances by eps*I in the
    // square-root term only; the trace terms keep the plain covariances.
    warnings.push(
      `singular covariance (${s1.n} and ${s2.n} samples for ${d} feature dimensions): ` +
        `added ${eps} * I to both covariances in the square-root term; use more samples than dimensions for a trustworthy FID`,
    )
    addToDiagonal(c2, eps)
  }
  const sqrtC1 = psdSquareRoot(e1, singular ? eps : 0)
  const product = sqrtC1.mmul(c2).mmul(sqrtC1)
  symmetrize(product)
  const { values } = symmetricEigen(product)

  const largest = Math.max(...values, 0)
  let traceSqrt = 0
  let clipped = 0
  let mostNegative = 0
  for (const v of values) {
    if (v > 0) traceSqrt += Math.sqrt(v)
    else if (v < -1e-10 * largest) {
      clipped++
      mostNegative = Math.min(mostNegative, v)
    }
  }
  if (clipped > 0) {
    // The eigen-analogue of the "imaginary component" that scipy's sqrtm leaves on near-singular input.
    warnings.push(`clipped ${clipped} negative eigenvalue(s) of the covariance product to 0 (most negative ${mostNegative.toExponential(2)})`)
  }
  return { fid: meanTerm + traceTerm - 2 * traceSqrt, warnings }
}

interface SymmetricEigen {
  values: number[]
  vectors: Matrix // columns are eigenvectors
}

function symmetricEigen(m: Matrix): SymmetricEigen {
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true })
  return { values: evd.realEigenvalues, vectors: evd.eigenvectorMatrix }
}

/** V diag(sqrt(max(lambda + shift, 0))) V^T: the PSD square root, rounding-negative eigenvalues clipped. */
function psdSquareRoot({ values, vectors }: SymmetricEigen, shift: number): Matrix {
  const d = values.length
  const scaled = vectors.clone()
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(Math.max(values[k] + shift, 0))
    for (let i = 0; i < d; i++) scaled.set(i, k, scaled.get(i, k) * s)
  }
  return scaled.mmul(vectors.transpose())
}

function toMatrix(data: Float64Array, d: number): Matrix {
  return Matrix.from1DArray(d, d, data)
}

function addToDiagonal(m: Matrix, v: number): void {
  for (let i = 0; i < m.rows; i++) m.set(i, i, m.get(i, i) + v)
}

/** Removes the rounding asymmetry of a product that is symmetric in exact arithmetic. */
function symmetrize(m: Matrix): void {
  for (let i = 0; i < m.rows; i++) {
    for (let j = i + 1; j < m.rows; j++) {
      const v = (m.get(i, j) + m.get(j, i)) / 2
      m.set(i, j, v)
      m.set(j, i, v)
    }
  }
}
