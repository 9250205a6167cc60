import type { FeatureMatrix } from './feature-matrix'
import { sampleWithoutReplacement, seededRandom } from '../random'

export interface KidResult {
  kid: number // mean of the unbiased MMD^2 estimates over subsets
  std: number // their standard deviation across subsets
  subsets: number
  subsetSize: number
}

export interface KidOptions {
  subsets?: number // 100 in the KID paper's and clean-fid's code
  maxSubsetSize?: number // 1000 there; smaller sets use every sample
  seed?: number
}

/**
 * Kernel Inception Distance (Binkowski et al. 2018): unbiased MMD^2 with the cubic polynomial kernel
 * k(x, y) = (x.y / d + 1)^3, averaged over random subsets of equal size m drawn without replacement.
 * Unbiased, so it is near 0 (and may be slightly negative) for two samples of one distribution.
 */
export function kernelInceptionDistance(real: FeatureMatrix, fake: FeatureMatrix, options: KidOptions = {}): KidResult {
  if (real.cols !== fake.cols) throw new Error(`KID needs features of one dimension, got ${real.cols} and ${fake.cols}`)
  const subsets = options.subsets ?? 100
  const m = Math.min(real.rows, fake.rows, options.maxSubsetSize ?? 1000)
  if (m < 2) throw new Error(`KID needs at least 2 samples in each set, got ${real.rows} and ${fake.rows}`)
  const random = seededRandom(options.seed ?? 0)
  // Kernel matrices once; each subset then only sums entries: O(N^2 d) instead of O(subsets m^2 d).
  const kRR = polynomialKernel(real, real)
  const kFF = polynomialKernel(fake, fake)
  const kRF = polynomialKernel(real, fake)

  const estimates = new Float64Array(subsets)
  for (let s = 0; s < subsets; s++) {
    const r = sampleWithoutReplacement(real.rows, m, random)
    const f = sampleWithoutReplacement(fake.rows, m, random)
    const within = offDiagonalSum(kRR, r) + offDiagonalSum(kFF, f)
    let between = 0
    for (let i = 0; i < m; i++) {
      const row = kRF.data.subarray(r[i] * kRF.cols, (r[i] + 1) * kRF.cols)
      for (let j = 0; j < m; j++) between += row[f[j]]
    }
    estimates[s] = within / (m * (m - 1)) - (2 * between) / (m * m)
  }
  const kid = estimates.reduce((a, b) => a + b, 0) / subsets
  const variance = estimates.reduce((a, e) => a + (e - kid) ** 2, 0) / Math.max(subsets - 1, 1)
  return { kid, std: Math.sqrt(variance), subsets, subsetSize: m }
}

interface Gram {
  cols: number
  data: Float64Array // [rows of a, rows of b]
}

/** k(a_i, b_j) = (a_i . b_j / d + 1)^3 for every pair. */
function polynomialKernel(a: FeatureMatrix, b: FeatureMatrix): Gram {
  const d = a.cols
  const out = new Float64Array(a.rows * b.rows)
  const bRows = Float64Array.from(b.data)
  for (let i = 0; i < a.rows; i++) {
    const ai = Float64Array.from(a.data.subarray(i * d, (i + 1) * d))
    for (let j = 0; j < b.rows; j++) {
      let dot = 0
      const o = j * d
      for (let k = 0; k < d; k++) dot += ai[k] * bRows[o + k]
      out[i * b.rows + j] = (dot / d + 1) ** 3
    }
  }
  return { cols: b.rows, data: out }
}

/** Sum of k(x_i, x_j) over the subset, i != j. */
function offDiagonalSum(k: Gram, idx: Int32Array): number {
  let sum = 0
  for (let i = 0; i < idx.length; i++) {
    const row = idx[i] * k.cols
    for (let j = 0; j < idx.length; j++) if (i !== j) sum += k.data[row + idx[j]]
  }
  return sum
}
