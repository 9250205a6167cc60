// One evaluation's sample-health check: the fixed-noise grid's near-duplicates and every grid
// sample's nearest real training images, plus the memorisation ratio over the evaluation's
// generated images, all in the features FID uses. The real side (features of a seeded subset of
// the training images and their neighbourhood statistics) is built once per run.
import type { MetricValue } from '../../src-shared/metrics'
import type { SampleHealth } from '../../src-shared/sample-health'
import type { LabelledImages } from './dataset-classifier'
import type { FeatureExtractor } from './extractor'
import { selectRows, type FeatureMatrix } from './feature-matrix'
import { imageCount, pickImages, type ImageBatch } from './image-batch'
import {
  COLLAPSE_WARNING_FRACTION,
  NEAR_DUPLICATE_QUANTILE,
  memorisationRatio,
  median,
  nearDuplicates,
  nearestReal,
  realNeighbourhood,
  type Neighbours,
  type RealNeighbourhood,
} from './sample-health'
import { sampleWithoutReplacement, seededRandom } from '../random'

/** Real images searched for neighbours: the whole training set up to this size (pairwise cost grows with its square). */
const MAX_REAL_SET = 2000
/** Nearest real images kept per grid sample. */
const NEIGHBOURS_SHOWN = 3
/** Generated images the memorisation ratio is computed over. */
const MAX_RATIO_SAMPLES = 1000
/** Near-duplicate pairs listed per evaluation (the fraction counts them all). */
export const MAX_LISTED_PAIRS = 200

export interface RealSet {
  features: FeatureMatrix // [n, featureDim]
  /** Class per row; absent for an unconditional dataset (every pair is then compared). */
  labels?: Int32Array
  /** Row -> index of the image in the training set. */
  indices: Int32Array
  neighbourhood: RealNeighbourhood
}

export async function buildRealSet(extractor: FeatureExtractor, real: LabelledImages, seed = 1): Promise<RealSet> {
  const n = imageCount(real)
  const used = Math.min(n, MAX_REAL_SET)
  const indices = used < n ? Int32Array.from(sampleWithoutReplacement(n, used, seededRandom(seed))).sort() : Int32Array.from({ length: n }, (_, i) => i)
  const { features } = await extractor.extract(pickImages(real, indices))
  const labels = real.numClasses >= 2 ? Int32Array.from(indices, (i) => real.labels[i]) : undefined
  return { features, labels, indices, neighbourhood: realNeighbourhood(features, labels) }
}

interface HealthInput {
  step: number
  weights: 'raw' | 'ema'
  extractor: FeatureExtractor
  /** How generated images were brought to the extractor's size (as the reference says). */
  resize: string
  realSet: RealSet
  /** The fixed-noise grid's features [count, featureDim] and conditioning classes. */
  grid: { features: FeatureMatrix; labels?: Int32Array; columns: number }
  /** Features of the evaluation's generated images. */
  fake: FeatureMatrix
}

interface HealthResult {
  health: SampleHealth
  /** Curves: near-duplicate fraction and memorisation ratio, labelled like every metric. */
  values: MetricValue[]
  /** Each grid sample's nearest rows of the real set. */
  nearest: Neighbours
}

export function checkSampleHealth({ step, weights, extractor, resize, realSet, grid, fake }: HealthInput): HealthResult {
  const { neighbourhood } = realSet
  const nReal = realSet.features.rows
  const dup = nearDuplicates(grid.features, grid.labels, neighbourhood.nearDuplicateDistance)
  const warning =
    dup.fraction >= COLLAPSE_WARNING_FRACTION
      ? `Possible mode collapse: ${(100 * dup.fraction).toFixed(0)}% of same-class pairs in the fixed-noise grid ` +
        `(${dup.pairs.length} of ${dup.pairsChecked}) are closer than the closest ${100 * NEAR_DUPLICATE_QUANTILE}% of same-class real pairs.`
      : null
  const ratioRows = Math.min(fake.rows, MAX_RATIO_SAMPLES)
  const fakeNearest = nearestReal(
    selectRows(
      fake,
      Int32Array.from({ length: ratioRows }, (_, i) => i),
    ),
    realSet.features,
    1,
  )
  const ratio = memorisationRatio(fakeNearest, ratioRows, neighbourhood)
  const nearest = nearestReal(grid.features, realSet.features, NEIGHBOURS_SHOWN)
  const base = { step, extractor: extractor.id, extractorDetail: extractor.detail, imageSize: extractor.inputSize, resize }
  return {
    health: {
      step,
      weights,
      extractor: extractor.id,
      extractorDetail: extractor.detail,
      grid: { count: grid.features.rows, columns: grid.columns },
      nReal,
      duplicates: {
        threshold: neighbourhood.nearDuplicateDistance,
        quantile: NEAR_DUPLICATE_QUANTILE,
        pairsChecked: dup.pairsChecked,
        fraction: dup.fraction,
        pairs: dup.pairs.slice(0, MAX_LISTED_PAIRS),
        samples: dup.samples,
        warning,
      },
      memorisation: {
        ratio,
        medianNearestReal: median(Float64Array.from({ length: ratioRows }, (_, i) => fakeNearest.distance[i])),
        realMedianNearest: neighbourhood.medianNearestDistance,
        nFake: ratioRows,
      },
    },
    values: [
      { ...base, name: 'near_duplicate_fraction', value: dup.fraction, nReal, nFake: grid.features.rows },
      { ...base, name: 'nearest_real_ratio', value: ratio, nReal, nFake: ratioRows },
    ],
    nearest,
  }
}

/** The training images behind `nearest` (grid sample-major, nearest first): [count * k, S, S, C]. */
export function neighbourImages(real: ImageBatch, realSet: RealSet, nearest: Neighbours): Uint8Array {
  return pickImages(
    real,
    Int32Array.from(nearest.index, (row) => realSet.indices[row]),
  ).images
}
