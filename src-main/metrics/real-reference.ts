// What evaluation needs from the real images, computed once per dataset, extractor and image size
// and cached as bytes: the Gaussian fit (overall and per class) and a subset of features for KID.
import type { ExtractorId } from '../../src-shared/metrics'
import type { LabelledImages } from './dataset-classifier'
import type { FeatureExtractor } from './extractor'
import { rowsByClass, selectRows, type FeatureMatrix } from './feature-matrix'
import { gaussianStats, type GaussianStats } from './gaussian'
import { imageCount, pickImages } from './image-batch'
import { sampleWithoutReplacement, seededRandom } from '../random'
import { decodeWeightBytes, encodeWeightBytes } from './weight-bytes'

export interface RealReference {
  extractor: ExtractorId
  extractorDetail: string
  imageSize: number // side of the dataset images
  resize: string // how they were brought to the extractor's input size
  inputSize: number
  nReal: number
  stats: GaussianStats
  /** Per-class fits for intra-FID; null for a one-class dataset. */
  perClass: GaussianStats[] | null
  /** Features of a random subset of real images, for KID. */
  kidFeatures: FeatureMatrix
}

interface RealReferenceOptions {
  /** Real images used at most (a random subset beyond that): statistics barely move past a few thousand. */
  maxImages?: number
  /** Real feature vectors kept for KID. */
  kidSamples?: number
  seed?: number
}

export async function buildRealReference(extractor: FeatureExtractor, real: LabelledImages, options: RealReferenceOptions = {}): Promise<RealReference> {
  const n = imageCount(real)
  const random = seededRandom(options.seed ?? 0)
  const used = Math.min(n, options.maxImages ?? 5000)
  const idx = used < n ? sampleWithoutReplacement(n, used, random) : Int32Array.from({ length: n }, (_, i) => i)
  const { features } = await extractor.extract(used < n ? pickImages(real, idx) : real)
  const labels = Int32Array.from(idx, (i) => real.labels[i])
  const kidRows = sampleWithoutReplacement(used, Math.min(used, options.kidSamples ?? 1000), random)
  return {
    extractor: extractor.id,
    extractorDetail: extractor.detail,
    imageSize: real.imageSize,
    resize: extractor.resize(real.imageSize),
    inputSize: extractor.inputSize,
    nReal: used,
    stats: gaussianStats(features),
    perClass: real.numClasses >= 2 ? rowsByClass(features, labels, real.numClasses).map(statsOrEmpty) : null,
    kidFeatures: selectRows(features, kidRows),
  }
}

/** A class with fewer than 2 real images gets n = 0 statistics; intra-FID leaves it out and says so. */
function statsOrEmpty(m: FeatureMatrix): GaussianStats {
  return m.rows >= 2 ? gaussianStats(m) : { n: m.rows, dim: m.cols, mean: new Float64Array(m.cols), cov: new Float64Array(m.cols * m.cols) }
}

type ReferenceHeader = Omit<RealReference, 'stats' | 'perClass' | 'kidFeatures'> & {
  format: 'sagan-studio/real-reference'
  perClassN: number[] | null
}

export function serializeRealReference(r: RealReference): Uint8Array {
  const { stats, perClass, kidFeatures, ...rest } = r
  const d = stats.dim
  const header: ReferenceHeader = { ...rest, format: 'sagan-studio/real-reference', perClassN: perClass?.map((s) => s.n) ?? null }
  const arrays: Record<string, Float32Array | Float64Array> = { mean: stats.mean, cov: stats.cov, kid: kidFeatures.data }
  const shapes: Record<string, number[]> = { mean: [d], cov: [d, d], kid: [kidFeatures.rows, kidFeatures.cols] }
  perClass?.forEach((s, c) => {
    arrays[`mean${c}`] = s.mean
    arrays[`cov${c}`] = s.cov
    shapes[`mean${c}`] = [d]
    shapes[`cov${c}`] = [d, d]
  })
  return encodeWeightBytes(header, { arrays, shapes })
}

export function restoreRealReference(bytes: Uint8Array): RealReference {
  const { header, arrays, shapes } = decodeWeightBytes<ReferenceHeader>(bytes, 'real-image reference')
  if (header.format !== 'sagan-studio/real-reference') throw new Error(`real-image reference bytes have format ${header.format}`)
  const { format: _, perClassN, ...rest } = header
  const d = shapes.mean[0]
  const fit = (n: number, suffix: string): GaussianStats => ({
    n,
    dim: d,
    mean: arrays[`mean${suffix}`] as Float64Array,
    cov: arrays[`cov${suffix}`] as Float64Array,
  })
  return {
    ...rest,
    stats: fit(header.nReal, ''),
    perClass: perClassN?.map((n, c) => fit(n, String(c))) ?? null,
    kidFeatures: { rows: shapes.kid[0], cols: shapes.kid[1], data: arrays.kid },
  }
}
