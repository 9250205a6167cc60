// Exports a run's generator as TF.js graph models (raw, and EMA when the run
// keeps it) plus sagan-generator.json and HOW-TO-SAMPLE.md. Uses whichever
// tfjs backend is active (call initBackend first): the baked weights are
// computed with the engine's own ops on it.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { RunConfig } from '../../../src-shared/run-config'
import { deserializeState } from '../../engine/checkpoint/state'
import type { WeightsChoice } from '../../engine/trainer'
import { bakeGeneratorWeights } from './baked-weights'
import { generatorGraph } from './generator-graph'
import { META_FILE, generatorMeta, modelFolder } from './generator-meta'
import { HOW_TO_FILE, howToSample } from './how-to-sample'
import { writeGraphModel } from './model-files'

export interface GeneratorExportInput {
  /** The run's config as stored (numClasses and channels filled from its dataset). */
  config: RunConfig
  /** Checkpoint bytes as stored (SaganTrainer.serializeState). */
  state: Uint8Array
  /** Class names in label order (ignored when the run is unconditional). */
  classNames: string[]
  runName: string
  /** Step of the checkpoint, written into the description. */
  step: number
}

const GENERATED_BY = 'SAGAN Studio'

/** Writes the export into dir (created if needed); returns every file written, as absolute paths. */
export async function writeGeneratorModel(dir: string, input: GeneratorExportInput): Promise<{ files: string[] }> {
  const { config, classNames } = input
  if (config.numClasses > 0 && classNames.length !== config.numClasses) {
    throw new Error(
      `Export: the run has ${config.numClasses} classes but ${classNames.length} class names were given; pass the run's class names in label order`,
    )
  }
  const state = deserializeState(input.state)
  const weights: WeightsChoice[] = config.ema.enabled ? ['raw', 'ema'] : ['raw']
  const files: string[] = []
  for (const choice of weights) {
    const folder = join(dir, modelFolder(choice))
    const written = await writeGraphModel(folder, generatorGraph(config, bakeGeneratorWeights(config, state, choice)), GENERATED_BY)
    files.push(...written.map((f) => join(folder, f)))
  }
  const meta = generatorMeta({ config, classNames, runName: input.runName, step: input.step, weights })
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`)
  await writeFile(join(dir, HOW_TO_FILE), howToSample(meta))
  files.push(join(dir, META_FILE), join(dir, HOW_TO_FILE))
  return { files }
}
