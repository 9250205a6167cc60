// sagan-generator.json: what a program needs to sample an exported generator
// without the run: classes in label order, image geometry, latent size and
// distribution, the weights choices present and the pixel mapping. One zod
// schema writes and reads it, so a hand-edited or foreign file is refused
// with the field named.
import { z } from 'zod'
import type { RunConfig } from '../../../src-shared/run-config'
import { PIXEL_MAPPING } from '../../engine/pixels'
import type { WeightsChoice } from '../../engine/trainer'
import { INPUT_LABEL, INPUT_Z, OUTPUT_IMAGES } from './generator-graph'
import { MODEL_JSON } from '../../engine/graph-model-folder'

export const META_FILE = 'sagan-generator.json'
export const GENERATOR_FORMAT = 'sagan-studio-generator'
const GENERATOR_FORMAT_VERSION = 1

/** Folder of each weights choice inside the export folder. */
export function modelFolder(weights: WeightsChoice): string {
  return `generator-${weights}`
}

const WeightsSchema = z.enum(['raw', 'ema'])

const GeneratorMetaSchema = z.object({
  format: z.literal(GENERATOR_FORMAT),
  formatVersion: z.literal(GENERATOR_FORMAT_VERSION),
  runName: z.string(),
  /** Training step of the checkpoint the weights come from. */
  step: z.number().int().min(0),
  /** Class names in label order; empty for an unconditional generator. */
  classes: z.array(z.string()),
  imageSize: z.number().int().positive(),
  channels: z.union([z.literal(1), z.literal(3)]),
  zDim: z.number().int().positive(),
  latent: z.object({ distribution: z.literal('standard-normal'), truncation: z.string() }),
  /** Weights choices exported, and the model.json of each (relative to this file). */
  weights: z.array(WeightsSchema).min(1),
  models: z.partialRecord(WeightsSchema, z.string()),
  inputs: z.object({
    z: z.object({ name: z.literal(INPUT_Z), dtype: z.literal('float32'), shape: z.tuple([z.literal(-1), z.number()]) }),
    label: z.object({ name: z.literal(INPUT_LABEL), dtype: z.literal('int32'), shape: z.tuple([z.literal(-1)]), note: z.string() }),
  }),
  output: z.object({ name: z.literal(OUTPUT_IMAGES), dtype: z.literal('float32'), shape: z.array(z.number()), range: z.tuple([z.literal(-1), z.literal(1)]) }),
  /** How the studio turns the output into bytes. */
  pixels: z.string(),
  /** Provenance: the architecture settings the graph was built from. */
  architecture: z.object({
    gCh: z.number(),
    gAttention: z.array(z.number()),
    attentionVariant: z.enum(['pooled', 'full']),
    attentionBlock: z.enum(['attention', 'residual']),
    spectralNorm: z.string(),
    batchNorm: z.string(),
  }),
})

export type GeneratorMeta = z.infer<typeof GeneratorMetaSchema>

interface MetaSource {
  config: RunConfig
  classNames: string[]
  runName: string
  step: number
  weights: WeightsChoice[]
}

export function generatorMeta({ config, classNames, runName, step, weights }: MetaSource): GeneratorMeta {
  const { imageSize, channels, zDim } = config
  return {
    format: GENERATOR_FORMAT,
    formatVersion: GENERATOR_FORMAT_VERSION,
    runName,
    step,
    classes: config.numClasses > 0 ? classNames : [],
    imageSize,
    channels,
    zDim,
    latent: {
      distribution: 'standard-normal',
      truncation:
        'Trained with untruncated z ~ N(0, I). Redrawing values beyond +-t (the truncation trick) trades variety for fidelity; the studio does it only when asked.',
    },
    weights,
    models: Object.fromEntries(weights.map((w) => [w, `${modelFolder(w)}/${MODEL_JSON}`])),
    inputs: {
      z: { name: INPUT_Z, dtype: 'float32', shape: [-1, zDim] },
      label: {
        name: INPUT_LABEL,
        dtype: 'int32',
        shape: [-1],
        note:
          config.numClasses > 0
            ? `class index 0..${config.numClasses - 1}, in the order of "classes"`
            : 'unconditional generator: the label is accepted and ignored (pass zeros)',
      },
    },
    output: { name: OUTPUT_IMAGES, dtype: 'float32', shape: [-1, imageSize, imageSize, channels], range: [-1, 1] },
    pixels: PIXEL_MAPPING,
    architecture: {
      gCh: config.gCh,
      gAttention: config.gAttention,
      attentionVariant: config.attentionVariant,
      attentionBlock: config.attentionBlock,
      spectralNorm: config.snG ? 'baked in: each weight divided by its sigma (one power iteration from the saved u)' : 'not used by this generator',
      batchNorm: 'evaluation mode: running mean and variance',
    },
  }
}

/** Parses sagan-generator.json; `path` names the file in errors. */
export function parseGeneratorMeta(text: string, path: string): GeneratorMeta {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new Error(`${path} is not JSON (${(err as Error).message}); export the generator again`, { cause: err })
  }
  const parsed = GeneratorMetaSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`${path} is not a SAGAN Studio generator description (${issue.path.join('.') || 'root'}: ${issue.message}); export the generator again`)
  }
  const meta = parsed.data
  for (const w of meta.weights) if (!meta.models[w]) throw new Error(`${path} lists weights "${w}" but no model for it; export the generator again`)
  return meta
}
