import type { FeatureMatrix } from './feature-matrix'

/** Gaussian fit of a feature set: what FID compares, and what is cached for real images. */
export interface GaussianStats {
  n: number // number of feature vectors fitted
  dim: number
  mean: Float64Array // [dim]
  cov: Float64Array // [dim * dim], row-major, unbiased (divides by n - 1, like numpy.cov)
}

/** Mean and covariance in float64, whatever the precision of the features. */
export function gaussianStats(features: FeatureMatrix): GaussianStats {
  const { rows: n, cols: d, data } = features
  if (n < 2) throw new Error(`a covariance needs at least 2 feature vectors, got ${n}`)
  const mean = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j]
  for (let j = 0; j < d; j++) mean[j] /= n
  const cov = new Float64Array(d * d)
  const centred = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) centred[j] = data[i * d + j] - mean[j]
    // Upper triangle only; mirrored below.
    for (let j = 0; j < d; j++) {
      const cj = centred[j]
      const row = j * d
      for (let k = j; k < d; k++) cov[row + k] += cj * centred[k]
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const v = cov[j * d + k] / (n - 1)
      cov[j * d + k] = v
      cov[k * d + j] = v
    }
  }
  return { n, dim: d, mean, cov }
}
