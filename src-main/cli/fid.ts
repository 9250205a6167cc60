// `fid --real DIR --fake DIR`: FID, KID and (for class folders) intra-FID
// between two image folders, with the built-in dataset-classifier features
// trained on the real folder. Every value printed says how it was computed.
import { join } from 'node:path'
import { metricLabel, type MetricValue } from '../../src-shared/metrics'
import { loadDataset } from '../data'
import { initBackend } from '../engine/backend'
import type { RunConfig } from '../../src-shared/run-config'
import { SaganTrainer } from '../engine/trainer'
import { DatasetClassifier, buildRealReference, evaluate, loadInceptionExtractor, type FeatureExtractor } from '../metrics'
import { prepareDatasetExtractor } from '../metrics/dataset-extractor'
import type { Studio } from '../studio/open-studio'
import { evaluationLatents, extractorCacheKeys } from '../studio/training/run-evaluation'

export interface FolderFidResult {
  values: MetricValue[]
  warnings: string[]
  extractorDetail: string
}

/**
 * With `inceptionDir` (a local Inception-v3 TF.js graph model) the features are
 * the standard pool3 ones and the numbers are comparable to published FIDs.
 */
export async function folderFid(realDir: string, fakeDir: string, imageSize: number, dataDir: string, inceptionDir?: string): Promise<FolderFidResult> {
  await initBackend('auto')
  const cacheDir = join(dataDir, 'cache')
  const real = await loadDataset(realDir, { imageSize }, { cacheDir })
  const fake = await loadDataset(fakeDir, { imageSize }, { cacheDir })
  if (real.channels !== fake.channels) {
    throw new Error(`${realDir} is ${real.channels === 1 ? 'grey' : 'colour'} but ${fakeDir} is ${fake.channels === 1 ? 'grey' : 'colour'}; compare folders of the same kind`)
  }
  const numClasses = real.report.conditional ? real.classNames.length : 1
  // Generated folders are compared class by class only when their class names match.
  const sameClasses = fake.classNames.join('\n') === real.classNames.join('\n') && numClasses >= 2
  const extractor: FeatureExtractor = inceptionDir ? await loadInceptionExtractor(inceptionDir) : await DatasetClassifier.train({ ...real, numClasses })
  try {
    const reference = await buildRealReference(extractor, { ...real, numClasses })
    const result = await evaluate({ step: 0, extractor, real: reference, fake: { ...fake, labels: sameClasses ? fake.labels : undefined } })
    return { values: result.values, warnings: result.warnings, extractorDetail: extractor.detail }
  } finally {
    extractor.dispose()
  }
}

export function formatFid(r: FolderFidResult): string {
  const main = r.values.filter((v) => v.name !== 'class_fid')
  return [
    ...main.map((v) => `${metricLabel(v)}: ${v.value.toFixed(4)}${v.std === undefined ? '' : ` ± ${v.std.toFixed(4)}`}  (${v.nReal} real, ${v.nFake} generated, ${v.imageSize}px, ${v.resize})`),
    `features: ${r.extractorDetail}`,
    ...r.warnings.map((w) => `warning: ${w}`),
  ].join('\n')
}

export interface RunFidOptions {
  /** Evaluate the newest checkpoint at or before this step (default: the newest). */
  step?: number
  samples?: number
}

/**
 * `fid RUN_ID`: restores a run's checkpoint, generates images from it (EMA
 * weights when the run keeps them) and evaluates them against the run's
 * dataset with the cached extractor. The values are stored with the run.
 */
export async function runFid(studio: Studio, runId: string, opts: RunFidOptions): Promise<FolderFidResult & { step: number }> {
  const run = studio.runs.get(runId)
  const config = studio.runs.config(runId) as RunConfig
  const checkpoint = studio.training.latestCheckpoint(runId, opts.step)
  if (!checkpoint) throw new Error(`Run ${runId} has no checkpoint${opts.step === undefined ? '' : ` at or before step ${opts.step}`} to evaluate.`)
  await initBackend(config.backend)
  const real = await loadDataset(run.datasetPath, { imageSize: config.imageSize }, { cacheDir: join(studio.service.dataDir(), 'cache') })
  const classNames = config.numClasses > 0 ? real.classNames : []
  const keys = extractorCacheKeys(studio.runs.datasetFingerprint(runId) ?? runId, real.imageSize)
  const cached = { classifier: studio.training.cached(keys.classifier), reference: studio.training.cached(keys.reference) }
  const { extractor, reference, built } = await prepareDatasetExtractor({ ...real, numClasses: Math.max(1, config.numClasses) }, cached)
  if (built.classifier) studio.training.cache(keys.classifier, built.classifier)
  if (built.reference) studio.training.cache(keys.reference, built.reference)
  const trainer = await SaganTrainer.restore(config, { numClasses: config.numClasses, classNames, imageSize: config.imageSize, channels: config.channels }, SaganTrainer.deserializeState(checkpoint.state))
  try {
    const { z, labels } = evaluationLatents(config, checkpoint.step, opts.samples ?? config.evalSamples)
    const images = await trainer.sample(z, labels, config.ema.enabled ? 'ema' : 'raw')
    const result = await evaluate({ step: checkpoint.step, extractor, real: reference, fake: { images, imageSize: config.imageSize, channels: config.channels, labels: config.numClasses >= 2 ? labels : undefined } })
    studio.training.saveMetrics(runId, result.values)
    return { values: result.values, warnings: result.warnings, extractorDetail: extractor.detail, step: checkpoint.step }
  } finally {
    trainer.dispose()
    extractor.dispose()
  }
}
