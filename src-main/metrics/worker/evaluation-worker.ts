// worker_threads entry (built to out/main/evaluation-worker.js): trains or
// restores the dataset-classifier extractor, builds the real-image reference,
// then answers 'evaluate' calls with labelled metric values and, given the
// fixed-noise grid, the sample-health checks (near-duplicates, nearest real images).
import { parentPort } from 'node:worker_threads'
import { initBackend } from '../../engine/backend'
import type { DatasetClassifier } from '../dataset-classifier'
import { prepareDatasetExtractor } from '../dataset-extractor'
import { evaluate } from '../evaluate'
import { buildRealSet, checkSampleHealth, neighbourImages, type RealSet } from '../health-check'
import type { FeatureMatrix } from '../feature-matrix'
import type { ImageBatch } from '../image-batch'
import type { RealReference } from '../real-reference'
import { serve } from '../../workers/rpc'
import type {
  EvaluationCalls,
  EvaluationPrepare,
  EvaluationRequest,
  Evaluated,
  FixedNoiseGrid,
  HealthMessage,
  Prepared,
  RealImages,
} from './evaluation-contract'

if (!parentPort) throw new Error('evaluation-worker.ts must run inside a worker_threads Worker')

let extractor: DatasetClassifier | null = null
let reference: RealReference | null = null
let realSet: RealSet | null = null
let real: RealImages | null = null
let numClasses = 0
let imageSize = 0
let channels: 1 | 3 = 3

async function prepare(m: EvaluationPrepare): Promise<Prepared> {
  const started = performance.now()
  await initBackend(m.backend)
  numClasses = m.real.numClasses
  imageSize = m.real.imageSize
  channels = m.real.channels
  const prepared = await prepareDatasetExtractor(m.real, m.cached)
  extractor = prepared.extractor
  reference = prepared.reference
  real = m.real
  realSet = await buildRealSet(extractor, { ...m.real, numClasses: m.real.numClasses >= 2 ? m.real.numClasses : 1 })
  return { extractorDetail: extractor.detail, seconds: (performance.now() - started) / 1000, built: prepared.built }
}

async function evaluateSamples(m: EvaluationRequest): Promise<Evaluated> {
  if (!extractor || !reference) throw new Error('evaluate before prepare')
  const started = performance.now()
  const result = await evaluate({
    step: m.step,
    extractor,
    real: reference,
    fake: { images: m.images, imageSize, channels, labels: numClasses >= 2 ? m.labels : undefined },
  })
  const health = m.grid ? await sampleHealth(m.step, m.grid, result.fakeFeatures) : undefined
  const values = health ? [...result.values, ...health.values] : result.values
  return { step: m.step, values, warnings: result.warnings, seconds: (performance.now() - started) / 1000, health: health?.message }
}

async function sampleHealth(step: number, grid: FixedNoiseGrid, fake: FeatureMatrix) {
  const batch: ImageBatch = { images: grid.images, imageSize, channels }
  const { features } = await extractor!.extract(batch)
  const checked = checkSampleHealth({
    step,
    weights: grid.weights,
    extractor: extractor!,
    resize: reference!.resize,
    realSet: realSet!,
    grid: { features, labels: numClasses >= 2 ? grid.labels : undefined, columns: grid.columns },
    fake,
  })
  const { nearest } = checked
  const message: HealthMessage = {
    report: checked.health,
    nearest: Array.from({ length: features.rows }, (_, sample) => ({
      sample,
      neighbours: Array.from({ length: nearest.k }, (_, rank) => {
        const realIndex = realSet!.indices[nearest.index[sample * nearest.k + rank]]
        return { rank, distance: nearest.distance[sample * nearest.k + rank], realIndex, classIndex: numClasses >= 2 ? real!.labels[realIndex] : null }
      }),
    })),
    neighbourImages: neighbourImages({ images: real!.images, imageSize, channels }, realSet!, nearest),
  }
  return { values: checked.values, message }
}

// One call at a time: evaluations queue behind preparation.
let queue: Promise<unknown> = Promise.resolve()
function inTurn<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work)
  queue = run.catch(() => undefined)
  return run
}

serve<EvaluationCalls>(parentPort, () => ({
  prepare: (m) => inTurn(() => prepare(m)),
  evaluate: (m) => inTurn(() => evaluateSamples(m)),
}))
