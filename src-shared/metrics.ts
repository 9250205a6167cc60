// Metric values as they cross to the UI and the store. Pure TypeScript + zod: no Node, no DOM.
// Every value says how it was computed, so curves never mix extractors or sample counts.
import { z } from 'zod'

const MetricNameSchema = z.enum([
  'fid',
  'kid',
  'intra_fid',
  'class_fid',
  'class_agreement',
  'inception_score',
  // Sample health (src-shared/sample-health.ts): share of near-duplicate pairs in the fixed-noise
  // grid, and median nearest-real distance over the real images' own (below 1: copying).
  'near_duplicate_fraction',
  'nearest_real_ratio',
])
export type MetricName = z.infer<typeof MetricNameSchema>

/**
 * Where features come from:
 * - dataset-classifier: small CNN trained on the run's own labelled real images (penultimate layer).
 * - dataset-rotation-classifier: the same CNN trained to tell image rotations apart (0/90/180/270),
 *   a self-supervised stand-in for datasets with one class.
 * - inception-v3-pool3: the standard 2048-d Inception-v3 pool3 features (user-supplied local model).
 */
const ExtractorIdSchema = z.enum(['dataset-classifier', 'dataset-rotation-classifier', 'inception-v3-pool3'])
export type ExtractorId = z.infer<typeof ExtractorIdSchema>

export const MetricValueSchema = z.object({
  step: z.number().int().nonnegative(),
  name: MetricNameSchema,
  value: z.number(),
  std: z.number().optional(), // KID and IS: spread over subsets / splits
  classIndex: z.number().int().nonnegative().optional(), // class_fid only
  extractor: ExtractorIdSchema,
  extractorDetail: z.string().optional(), // e.g. "held-out accuracy 86.1% on 1000 images"
  nReal: z.number().int().nonnegative(),
  nFake: z.number().int().nonnegative(),
  imageSize: z.number().int().positive(), // side in pixels of the images fed to the extractor
  resize: z.string(), // how images were brought to imageSize, e.g. "none", "bilinear 32->299"
})
export type MetricValue = z.infer<typeof MetricValueSchema>

const METRIC_NAMES: Record<MetricName, string> = {
  fid: 'FID',
  kid: 'KID',
  intra_fid: 'Intra-FID (mean over classes)',
  class_fid: 'Class FID',
  class_agreement: 'Class agreement',
  inception_score: 'Inception Score',
  near_duplicate_fraction: 'Near-duplicate pairs in the fixed-noise grid',
  nearest_real_ratio: 'Nearest-real distance ratio',
}

const EXTRACTOR_NAMES: Record<ExtractorId, string> = {
  'dataset-classifier': 'dataset classifier features',
  'dataset-rotation-classifier': 'rotation-classifier features (one-class dataset)',
  'inception-v3-pool3': 'Inception-v3 pool3 features',
}

/** Short name of an extractor, for legends. */
export function extractorLabel(extractor: ExtractorId): string {
  return EXTRACTOR_NAMES[extractor]
}

/** Whether values can be compared with numbers published in papers (Inception-v3 only). */
export function isComparableToPublished(extractor: ExtractorId): boolean {
  return extractor === 'inception-v3-pool3'
}

/** Human label, e.g. "FID (dataset classifier features) — not comparable to published Inception FIDs". */
export function metricLabel(m: Pick<MetricValue, 'name' | 'extractor' | 'classIndex'>): string {
  const name = m.name === 'class_fid' && m.classIndex !== undefined ? `FID of class ${m.classIndex}` : METRIC_NAMES[m.name]
  if (m.name === 'class_agreement') return `${name} (classifier trained on the real images; chance = 1 / classes)`
  const label = `${name} (${extractorLabel(m.extractor)})`
  if (m.name === 'near_duplicate_fraction' || m.name === 'nearest_real_ratio') return label
  return isComparableToPublished(m.extractor) ? label : `${label} — not comparable to published Inception ${METRIC_NAMES[m.name].split(' ')[0]}s`
}

/** One line on sample counts and preprocessing, for tooltips and tables. */
export function metricProvenance(m: MetricValue): string {
  const detail = m.extractorDetail ? `; ${m.extractorDetail}` : ''
  return `${m.nFake} generated vs ${m.nReal} real images at ${m.imageSize}x${m.imageSize} (resize: ${m.resize})${detail}`
}

/** Values with one key belong on one curve; different keys must never be joined into one line. */
export function metricCurveKey(m: MetricValue): string {
  return [m.name, m.classIndex ?? '', m.extractor, m.nReal, m.nFake, m.imageSize, m.resize].join('|')
}

/**
 * The metric a run's best checkpoint is picked by. A conditional run is judged by intra-FID
 * (per-class FID, averaged): overall FID also rewards a generator that draws the right mix of
 * images for the wrong labels. An unconditional run has only overall FID.
 */
export type SelectionMetric = Extract<MetricName, 'intra_fid' | 'fid'>

export function selectionMetric(numClasses: number): SelectionMetric {
  return numClasses >= 2 ? 'intra_fid' : 'fid'
}

/** A score a checkpoint or a run's best evaluation is ranked by (lower is better), with its provenance. */
export interface SelectionScore {
  metric: SelectionMetric
  value: number
  extractor: ExtractorId
}

/** The run's best evaluation: the lowest selection-metric value and where it was reached. */
export interface BestScore extends SelectionScore {
  step: number
}

/** "intra-FID" or "FID": the metric's short name in running text. */
export function selectionMetricName(metric: SelectionMetric): string {
  return metric === 'intra_fid' ? 'intra-FID' : 'FID'
}

/** e.g. "best by intra-FID (dataset classifier features)". */
export function bestByLabel(s: Pick<SelectionScore, 'metric' | 'extractor'>): string {
  return `best by ${selectionMetricName(s.metric)} (${extractorLabel(s.extractor)})`
}

/** e.g. "5.74 intra-FID @ 1000", for table cells (formatBest is the tooltip). */
export function formatBestShort(b: BestScore): string {
  return `${b.value.toFixed(2)} ${selectionMetricName(b.metric)} @ ${b.step}`
}

/** e.g. "intra-FID 5.74 at step 1000 (dataset classifier features)". */
export function formatBest(b: BestScore, digits = 2): string {
  return `${selectionMetricName(b.metric)} ${b.value.toFixed(digits)} at step ${b.step} (${extractorLabel(b.extractor)})`
}
