// `evaluateCheckpoint` (the CLI's `fid RUN_ID`): restores a run's checkpoint,
// generates images from it (EMA weights when the run keeps them) and evaluates
// them against the run's dataset with the extractor cached for it, on the
// calling thread. The values are stored with the run.
import { join } from 'node:path'
import type { CheckpointEvaluation } from '../../src-shared/contract'
import { StudioError } from '../../src-shared/errors'
import { loadDataset } from '../data'
import { initBackend } from '../engine/backend'
import { SaganTrainer } from '../engine/trainer'
import { evaluate } from '../metrics'
import { prepareDatasetExtractor } from '../metrics/dataset-extractor'
import type { RunStore } from '../store/run-store'
import type { TrainingStore } from '../store/training-store'
import { evaluationLatents, extractorCacheKeys } from './training/run-evaluation'

export interface CheckpointEvaluationDeps {
  runs: RunStore
  training: TrainingStore
  dataDir: string
}

export async function evaluateCheckpoint(
  deps: CheckpointEvaluationDeps,
  runId: string,
  options: { step?: number; samples?: number },
): Promise<CheckpointEvaluation> {
  const { runs, training } = deps
  const run = runs.get(runId)
  const config = runs.config(runId)
  const checkpoint = training.latestCheckpoint(runId, options.step)
  if (!checkpoint)
    throw new StudioError(
      'not-found',
      `Run ${runId} has no checkpoint${options.step === undefined ? '' : ` at or before step ${options.step}`} to evaluate.`,
      runId,
    )
  await initBackend(config.backend)
  const real = await loadDataset(run.datasetPath, { imageSize: config.imageSize }, { cacheDir: join(deps.dataDir, 'cache') })
  const classNames = config.numClasses > 0 ? real.classNames : []
  const keys = extractorCacheKeys(runs.datasetFingerprint(runId) ?? runId, real.imageSize)
  const cached = { classifier: training.cached(keys.classifier), reference: training.cached(keys.reference) }
  const { extractor, reference, built } = await prepareDatasetExtractor({ ...real, numClasses: Math.max(1, config.numClasses) }, cached)
  if (built.classifier) training.cache(keys.classifier, built.classifier)
  if (built.reference) training.cache(keys.reference, built.reference)
  const trainer = await SaganTrainer.restore(
    config,
    { numClasses: config.numClasses, classNames, imageSize: config.imageSize, channels: config.channels },
    SaganTrainer.deserializeState(checkpoint.state),
  )
  try {
    const { z, labels } = evaluationLatents(config, checkpoint.step, options.samples ?? config.evalSamples)
    const images = await trainer.sample(z, labels, config.ema.enabled ? 'ema' : 'raw')
    const result = await evaluate({
      step: checkpoint.step,
      extractor,
      real: reference,
      fake: { images, imageSize: config.imageSize, channels: config.channels, labels: config.numClasses >= 2 ? labels : undefined },
    })
    training.saveMetrics(runId, result.values)
    return { step: checkpoint.step, values: result.values, warnings: result.warnings, extractorDetail: extractor.detail }
  } finally {
    trainer.dispose()
    extractor.dispose()
  }
}
