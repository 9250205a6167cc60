// One evaluation during training: generated images -> every metric that applies, each value
// labelled with how it was computed (extractor, sample counts, image size, resize method).
import type { MetricName, MetricValue } from '../../src-shared/metrics'
import { classAgreement } from './class-agreement'
import type { FeatureExtractor } from './extractor'
import { rowsByClass, type FeatureMatrix } from './feature-matrix'
import { fidFromStats } from './fid'
import { gaussianStats } from './gaussian'
import { imageCount, type ImageBatch } from './image-batch'
import { inceptionScore } from './inception-score'
import { intraFid } from './intra-fid'
import { kernelInceptionDistance, type KidOptions } from './kid'
import type { RealReference } from './real-reference'

/** Each FID costs two symmetric eigendecompositions of featureDim^2 (2048-d: about a minute each on one core). */
const MAX_INTRA_FID_DIM = 512

export interface GeneratedImages extends ImageBatch {
  /** Class each image was conditioned on; absent for an unconditional run. */
  labels?: Int32Array
}

export interface EvaluationInput {
  step: number
  extractor: FeatureExtractor
  real: RealReference
  fake: GeneratedImages
  kid?: KidOptions
}

export interface EvaluationResult {
  values: MetricValue[]
  /** Caveats worth showing next to the values (singular covariances, classes left out). */
  warnings: string[]
  /** Seconds spent extracting features and computing the metrics (generation not included). */
  seconds: { features: number; metrics: number }
  /** The generated images' features [nFake, featureDim], for checks that reuse them (sample health). */
  fakeFeatures: FeatureMatrix
}

export async function evaluate({ step, extractor, real, fake, kid }: EvaluationInput): Promise<EvaluationResult> {
  if (extractor.id !== real.extractor || extractor.inputSize !== real.inputSize) {
    throw new Error(
      `real-image reference was computed with ${real.extractor} at ${real.inputSize}px, not ${extractor.id} at ${extractor.inputSize}px: rebuild it`,
    )
  }
  if (fake.imageSize !== real.imageSize) throw new Error(`generated images are ${fake.imageSize}px, real ones ${real.imageSize}px`)
  const nFake = imageCount(fake)
  const t0 = performance.now()
  const extracted = await extractor.extract(fake)
  const t1 = performance.now()

  const base = { step, extractor: extractor.id, extractorDetail: extractor.detail, imageSize: extractor.inputSize, resize: real.resize }
  const value = (name: MetricName, v: number, nReal: number, n: number, extra: Partial<MetricValue> = {}): MetricValue => ({
    ...base,
    name,
    value: v,
    nReal,
    nFake: n,
    ...extra,
  })
  const warnings: string[] = []
  const values: MetricValue[] = []

  const fid = fidFromStats(real.stats, gaussianStats(extracted.features))
  warnings.push(...fid.warnings.map((w) => `FID: ${w}`))
  values.push(value('fid', fid.fid, real.nReal, nFake))

  const k = kernelInceptionDistance(real.kidFeatures, extracted.features, { subsets: 50, maxSubsetSize: 1000, ...kid })
  values.push(
    value('kid', k.kid, real.kidFeatures.rows, nFake, { std: k.std, extractorDetail: `${extractor.detail}; ${k.subsets} subsets of ${k.subsetSize}` }),
  )

  if (fake.labels && real.perClass && extractor.featureDim > MAX_INTRA_FID_DIM) {
    warnings.push(
      `intra-FID skipped: ${real.perClass.length} FIDs on ${extractor.featureDim}-d features take minutes each in JavaScript; use the dataset classifier features for intra-FID`,
    )
  } else if (fake.labels && real.perClass) {
    const numClasses = real.perClass.length
    const intra = intraFid(real.perClass, rowsByClass(extracted.features, fake.labels, numClasses))
    warnings.push(...intra.warnings)
    if (intra.perClass.length > 0) {
      values.push(value('intra_fid', intra.mean, real.nReal, nFake))
      for (const c of intra.perClass) values.push(value('class_fid', c.fid, c.nReal, c.nFake, { classIndex: c.classIndex }))
    }
    if (extracted.predictedClasses) {
      values.push(value('class_agreement', classAgreement(extracted.predictedClasses, fake.labels), real.nReal, nFake))
    }
  }
  if (extracted.inceptionProbabilities) {
    const is = inceptionScore(extracted.inceptionProbabilities)
    values.push(value('inception_score', is.mean, 0, nFake, { std: is.std, extractorDetail: `${extractor.detail}; ${is.splits} splits` }))
  }
  return { values, warnings, seconds: { features: (t1 - t0) / 1000, metrics: (performance.now() - t1) / 1000 }, fakeFeatures: extracted.features }
}
