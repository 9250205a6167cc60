// Orthogonal initialisation (Saxe et al.), as BigGAN's init='ortho'.
import type { Rng } from '../../random'

/**
 * A rows x cols matrix (row-major) whose rows (if rows <= cols) or columns
 * (otherwise) are orthonormal: modified Gram-Schmidt on Gaussian vectors, in float64.
 * Transpose-invariant, so callers may pass their weight's own layout.
 */
export function orthogonal(rows: number, cols: number, rng: Rng): Float32Array {
  const n = Math.min(rows, cols) // number of orthonormal vectors
  const len = Math.max(rows, cols) // their length
  const vecs: Float64Array[] = []
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from(rng.normal(len))
    for (const q of vecs) {
      let dot = 0
      for (let k = 0; k < len; k++) dot += v[k] * q[k]
      for (let k = 0; k < len; k++) v[k] -= dot * q[k]
    }
    let norm = 0
    for (let k = 0; k < len; k++) norm += v[k] * v[k]
    norm = Math.sqrt(norm)
    for (let k = 0; k < len; k++) v[k] /= norm
    vecs.push(v)
  }
  const out = new Float32Array(rows * cols)
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < len; k++) {
      // vectors are rows when rows <= cols, columns otherwise
      if (rows <= cols) out[i * cols + k] = vecs[i][k]
      else out[k * cols + i] = vecs[i][k]
    }
  }
  return out
}
