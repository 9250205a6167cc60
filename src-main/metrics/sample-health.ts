// Two checks on generated samples in an extractor's feature space, each calibrated on the real
// images themselves so that "close" means close for this dataset:
// - collapse: pairs of the fixed-noise grid (same class) closer than the real data's
//   near-duplicate distance (a low quantile of same-class real pair distances);
// - memorisation: each sample's nearest real training image, and the median of those
//   distances over the median nearest-neighbour distance among the real images themselves
//   (below 1: samples sit closer to training images than training images sit to each other).
// Distances are Euclidean.
import type { FeatureMatrix } from './feature-matrix'

/** Real same-class pairs closer than this quantile of their distances count as near-duplicates. */
export const NEAR_DUPLICATE_QUANTILE = 0.01
/** The collapse warning fires when this share of grid pairs is near-duplicate (10x the real share). */
export const COLLAPSE_WARNING_FRACTION = 0.1

/** Euclidean distances between every row of a and every row of b: [a.rows, b.rows] row-major. */
export function pairwiseDistances(a: FeatureMatrix, b: FeatureMatrix): Float64Array {
  if (a.cols !== b.cols) throw new Error(`feature dimensions differ: ${a.cols} and ${b.cols}`)
  const d = a.cols
  const norms = (m: FeatureMatrix) =>
    Float64Array.from({ length: m.rows }, (_, i) => {
      let s = 0
      for (let k = 0; k < d; k++) s += m.data[i * d + k] ** 2
      return s
    })
  const na = norms(a)
  const nb = norms(b)
  const out = new Float64Array(a.rows * b.rows)
  for (let i = 0; i < a.rows; i++) {
    const ai = i * d
    for (let j = 0; j < b.rows; j++) {
      const bj = j * d
      let dot = 0
      for (let k = 0; k < d; k++) dot += a.data[ai + k] * b.data[bj + k]
      // |a-b|^2 = |a|^2 + |b|^2 - 2 a.b, clipped at 0 against rounding.
      out[i * b.rows + j] = Math.sqrt(Math.max(0, na[i] + nb[j] - 2 * dot))
    }
  }
  return out
}

/** Linear-interpolated quantile (numpy's default) of unsorted values. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort()
  if (s.length === 0) return Number.NaN
  const pos = q * (s.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(s.length - 1, lo + 1)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5)
}

/** Index pairs i < j that share a label (every pair when there are no labels). */
function sameClassPairs(n: number, labels: ArrayLike<number> | undefined): [number, number][] {
  const pairs: [number, number][] = []
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (!labels || labels[i] === labels[j]) pairs.push([i, j])
  return pairs
}

export interface RealNeighbourhood {
  /** Distance below which two same-class real images count as near-duplicates. */
  nearDuplicateDistance: number
  /** Same-class real pairs the threshold was taken from. */
  realPairs: number
  /** Median over the real images of the distance to their nearest other real image. */
  medianNearestDistance: number
}

/** Statistics of the real images that the two checks are measured against. */
export function realNeighbourhood(real: FeatureMatrix, labels?: ArrayLike<number>): RealNeighbourhood {
  if (real.rows < 2) throw new Error(`the real-image checks need at least 2 real images, got ${real.rows}`)
  const dist = pairwiseDistances(real, real)
  const n = real.rows
  const pairs = sameClassPairs(n, labels)
  if (pairs.length === 0) throw new Error('no two real images share a class: the near-duplicate distance needs same-class pairs')
  const nearest = Float64Array.from({ length: n }, (_, i) => {
    let best = Infinity
    for (let j = 0; j < n; j++) if (j !== i && dist[i * n + j] < best) best = dist[i * n + j]
    return best
  })
  return {
    nearDuplicateDistance: quantile(
      pairs.map(([i, j]) => dist[i * n + j]),
      NEAR_DUPLICATE_QUANTILE,
    ),
    realPairs: pairs.length,
    medianNearestDistance: median(nearest),
  }
}

export interface DuplicatePair {
  /** Grid positions of the two samples, a < b. */
  a: number
  b: number
  distance: number
}

interface NearDuplicates {
  /** Same-class grid pairs compared. */
  pairsChecked: number
  /** The pairs closer than the real near-duplicate distance, closest first. */
  pairs: DuplicatePair[]
  /** pairs.length / pairsChecked; about NEAR_DUPLICATE_QUANTILE for samples as varied as real images. */
  fraction: number
  /** Grid positions that are part of at least one near-duplicate pair, ascending. */
  samples: number[]
}

/** Same-class pairs of the fixed-noise grid closer than `threshold`. */
export function nearDuplicates(grid: FeatureMatrix, labels: ArrayLike<number> | undefined, threshold: number): NearDuplicates {
  const dist = pairwiseDistances(grid, grid)
  const n = grid.rows
  const checked = sameClassPairs(n, labels)
  const pairs = checked
    .map(([a, b]) => ({ a, b, distance: dist[a * n + b] }))
    .filter((p) => p.distance < threshold)
    .sort((x, y) => x.distance - y.distance)
  const samples = [...new Set(pairs.flatMap((p) => [p.a, p.b]))].sort((x, y) => x - y)
  return { pairsChecked: checked.length, pairs, fraction: checked.length ? pairs.length / checked.length : 0, samples }
}

export interface Neighbours {
  /** [rows, k]: indices into the real set, nearest first. */
  index: Int32Array
  /** [rows, k]: their distances. */
  distance: Float64Array
  k: number
}

/** The k nearest real rows of every generated row. */
export function nearestReal(fake: FeatureMatrix, real: FeatureMatrix, k: number): Neighbours {
  const kk = Math.min(k, real.rows)
  const dist = pairwiseDistances(fake, real)
  const index = new Int32Array(fake.rows * kk)
  const distance = new Float64Array(fake.rows * kk)
  const order = Array.from({ length: real.rows }, (_, j) => j)
  for (let i = 0; i < fake.rows; i++) {
    const row = dist.subarray(i * real.rows, (i + 1) * real.rows)
    const top = order
      .slice()
      .sort((x, y) => row[x] - row[y])
      .slice(0, kk)
    top.forEach((j, r) => {
      index[i * kk + r] = j
      distance[i * kk + r] = row[j]
    })
  }
  return { index, distance, k: kk }
}

/** Median nearest-real distance of generated samples over the real images' own median nearest-neighbour distance. */
export function memorisationRatio(fakeToReal: Neighbours, fakeRows: number, real: RealNeighbourhood): number {
  const nearest = Float64Array.from({ length: fakeRows }, (_, i) => fakeToReal.distance[i * fakeToReal.k])
  return median(nearest) / real.medianNearestDistance
}
