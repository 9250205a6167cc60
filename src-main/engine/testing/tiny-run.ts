// Tiny but complete runs for engine tests: conditional (10 classes), 32 px grey, attention in G
// (32x32) and D (16x16), spectral norm and conditional BN, small enough for a step in seconds.
import { type RunConfig, type RunConfigInput, buildRunConfig } from '../../../src-shared/run-config'
import type { TrainingData } from '../trainer'

export const TINY_DATA: TrainingData = { numClasses: 10, classNames: [...'0123456789'], imageSize: 32, channels: 1 }

/**
 * EMA from step 1, flips and DiffAugment (p 0.5) on, so one step runs every part of the trainer; `settings` replace fields whole.
 * The paper's learning rates, which the tests' tolerances were measured with (the quick preset trains at twice them).
 */
export function tinyTrainerConfig(settings: Partial<RunConfigInput>): RunConfig {
  return buildRunConfig('quick', 'sagan', {
    gCh: 4,
    dCh: 4,
    numClasses: 10,
    channels: 1,
    lrG: 1e-4,
    lrD: 4e-4,
    flipAugment: true,
    ema: { startStep: 1 },
    augment: { policy: 'diffaugment', p: 0.5 },
    ...settings,
  })
}

/** A 4-step wasm run of batch 4 with a sheet every 2 steps and a checkpoint at step 3: what the session tests drive. */
export const TINY_SESSION_CONFIG: RunConfig = buildRunConfig('quick', 'sagan', {
  gCh: 8,
  dCh: 8,
  batchSize: 4,
  steps: 4,
  numClasses: 10,
  channels: 1,
  seed: 3,
  backend: 'wasm',
  sampleEvery: 2,
  checkpointEvery: { steps: 3, minutes: 60 },
})
