// Every training setting of a run, its presets and the paper's ablations.
// Pure TypeScript + zod: the UI validates and shows the same schema the engine trains from.
import { z } from 'zod'
import type { BackendReport, GpuAdapterReport } from './backend'

export const BACKEND_PREFERENCES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number]
/** The backend a run trains on and why each faster one was skipped. */
export type BackendInfo = BackendReport

/** The adapter in one line: "NVIDIA GeForce RTX 3060 (nvidia, ampere)", "llvmpipe (OpenGL ES 3.2 Mesa 22.3.6; software)". */
export function adapterLabel(a: GpuAdapterReport): string {
  const name = a.device || a.description || 'unnamed adapter'
  const details = [a.vendor, a.architecture, a.description].filter((s) => s !== '' && s !== name)
  const notes = [details.join(', '), a.software ? 'software' : ''].filter((s) => s !== '')
  return notes.length ? `${name} (${notes.join('; ')})` : name
}

/**
 * How a run computes, as the run header, run lists and progress lines show it: "wasm",
 * "wasm × 2" with data-parallel replicas, "webgpu on <adapter>" on a GPU.
 */
export function backendLabel(backend: string, replicas: number, adapter?: GpuAdapterReport): string {
  if (adapter) return `${backend} on ${adapterLabel(adapter)}`
  return replicas > 1 ? `${backend} × ${replicas}` : backend
}

const IMAGE_SIZES = [32, 64, 128] as const
export type ImageSize = (typeof IMAGE_SIZES)[number]

/** Output resolutions of the generator's up-blocks: 4x4 grows to the image size. */
function generatorResolutions(imageSize: ImageSize): number[] {
  const out: number[] = []
  for (let r = 8; r <= imageSize; r *= 2) out.push(r)
  return out
}

/**
 * Output resolutions of the discriminator's down-blocks (BigGAN's D_arch):
 * 32 px: 16,16,16,16 (two blocks without pooling); 64 px: 32..4,4; 128 px: 64..4,4.
 */
function discriminatorResolutions(imageSize: ImageSize): number[] {
  if (imageSize === 32) return [16, 16, 16, 16]
  const out: number[] = []
  for (let r = imageSize / 2; r >= 4; r /= 2) out.push(r)
  out.push(4)
  return out
}

/** Upper bound of every step count: a billion steps is years of training on any machine this runs on. */
export const MAX_STEPS = 1_000_000_000

const resolutionList = z.array(z.number().int().positive()).max(4)

const AUGMENT_POLICIES = ['off', 'diffaugment'] as const
/** DiffAugment's three transforms: colour (brightness, saturation, contrast), translation (1/8 of the side), cutout (1/2). */
export const AUGMENT_OPS = ['color', 'translation', 'cutout'] as const
export type AugmentOp = (typeof AUGMENT_OPS)[number]

/**
 * New runs on fewer images than this get DiffAugment. Both papers find the gain grows as the
 * data shrinks: DiffAugment's largest gains are at 10-20% of CIFAR-10 (5k-10k images) and on
 * 100-shot sets, ADA's below a few tens of thousands of images, with little or no gain on the
 * largest sets. Measured here (npm run bench:augment, 1 200-image demo, quick preset at width 4,
 * batch 16, seed 1): without augmentation D's r_t reached 0.82 by step 80 and stayed there
 * (it is sure of most training images after about one epoch); with DiffAugment it stayed at
 * 0.38-0.58, below ADA's 0.6 target. Details in docs/decisions.md.
 */
export const AUGMENT_BELOW_IMAGES = 20_000

const RunConfigObject = z.object({
  /** Which preset and ablation the config was built from (for display; the fields below are what trains). */
  preset: z.enum(['quick', 'standard', 'paper']).default('quick'),
  ablation: z.enum(['sagan', 'no-attention', 'residual-instead-of-attention', 'sn-d-only', 'no-ttur', 'no-augmentation']).default('sagan'),
  imageSize: z.union([z.literal(32), z.literal(64), z.literal(128)]).default(32),
  /** 1 (grey) or 3 (RGB); filled from the dataset. */
  channels: z.union([z.literal(1), z.literal(3)]).default(3),
  /** 0 = unconditional (plain BN, no projection); filled from the dataset. */
  numClasses: z.number().int().min(0).max(1000).default(0),
  zDim: z.number().int().min(1).max(512).default(128),
  /** Base width of G and D: the main cost knob. Layers are multiples of it (at 32 px: 4 x ch channels). */
  gCh: z.number().int().min(4).max(512).default(16),
  dCh: z.number().int().min(4).max(512).default(16),
  /** Resolutions after which G / D insert a self-attention block. */
  gAttention: resolutionList.default([32]),
  dAttention: resolutionList.default([16]),
  /** 'pooled': official code (keys/values 2x2 max-pooled, map N x N/4); 'full': paper text (N x N). */
  attentionVariant: z.enum(['pooled', 'full']).default('pooled'),
  /** What sits at the attention positions: the attention block, or a plain residual block (ablation). */
  attentionBlock: z.enum(['attention', 'residual']).default('attention'),
  batchSize: z.number().int().min(1).max(512).default(32),
  steps: z.number().int().min(1).max(MAX_STEPS).default(2000),
  lrG: z.number().positive().max(1).default(1e-4),
  lrD: z.number().positive().max(1).default(4e-4),
  beta1: z.number().min(0).max(0.999).default(0),
  beta2: z.number().min(0).max(0.9999).default(0.9),
  adamEps: z.number().positive().max(1e-2).default(1e-8),
  /** Discriminator steps per generator step. */
  nDis: z.number().int().min(1).max(10).default(1),
  snG: z.boolean().default(true),
  snD: z.boolean().default(true),
  ema: z
    .object({
      enabled: z.boolean().default(true),
      decay: z.number().min(0).max(1).default(0.999),
      /** Before this step the EMA copy simply follows G (decay 0), as in BigGAN. */
      startStep: z.number().int().min(0).max(MAX_STEPS).default(500),
    })
    .prefault({}),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  backend: z.enum(BACKEND_PREFERENCES).default('auto'),
  /**
   * Data-parallel replicas (worker threads, one share of each batch each, gradients
   * averaged): 'auto' uses one per core on single-threaded backends (wasm, cpu).
   */
  replicas: z.union([z.literal('auto'), z.number().int().min(1).max(16)]).default('auto'),
  sampleEvery: z.number().int().min(1).max(MAX_STEPS).default(100),
  checkpointEvery: z
    .object({
      steps: z.number().int().min(1).max(MAX_STEPS).default(500),
      minutes: z
        .number()
        .positive()
        .max(7 * 24 * 60)
        .default(10),
    })
    .prefault({}),
  keepLastCheckpoints: z.number().int().min(1).max(100).default(3),
  /**
   * FID/KID every N steps (0 = off) with M generated images. 250 / 2000 costs
   * 1-3% of training time on 2 cores (docs/metrics.md) and gives a quick run 8 points.
   */
  evalEvery: z.number().int().min(0).max(MAX_STEPS).default(250),
  /** At most 50,000: the standard FID sample count; more would only cost memory and hours. */
  evalSamples: z.number().int().min(100).max(50_000).default(2000),
  flipAugment: z.boolean().default(false),
  /**
   * DiffAugment (Zhao et al. 2020): the same random colour, translation and cutout on real
   * and fake images in every D pass and on the fakes of G's update (differentiable, so G
   * learns through it). 'off' for stored configs from before it existed; new runs get it
   * below AUGMENT_BELOW_IMAGES (datasetDefaults). Adaptive: ADA's (Karras et al. 2020)
   * probability p, moved every adjustEvery steps by the sign of r_t - target, where
   * r_t = E[sign(D(real))], fast enough to go from 0 to 1 in rampImages real images.
   */
  augment: z
    .object({
      policy: z.enum(AUGMENT_POLICIES).default('off'),
      ops: z
        .array(z.enum(AUGMENT_OPS))
        .min(1)
        .default([...AUGMENT_OPS]),
      /** Probability that each op is applied to an image; adaptive runs start at 0 (as ADA) and move it. */
      p: z.number().min(0).max(1).default(1),
      adaptive: z.boolean().default(false),
      /** r_t lies in [-1, 1]; ADA's target is 0.6. */
      target: z.number().min(-1).max(1).default(0.6),
      adjustEvery: z.number().int().min(1).max(1000).default(4),
      rampImages: z.number().int().min(1).max(MAX_STEPS).default(20_000),
    })
    .prefault({}),
  classBalanced: z.boolean().default(false),
})

export const RunConfigSchema = RunConfigObject.superRefine((c, ctx) => {
  const check = (field: 'gAttention' | 'dAttention', allowed: number[]) => {
    for (const r of c[field]) {
      if (!allowed.includes(r)) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `${field}: no block outputs ${r}x${r} at ${c.imageSize} px; choose from ${[...new Set(allowed)].join(', ')}`,
        })
      }
    }
  }
  if (c.replicas !== 'auto' && c.batchSize % c.replicas !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['replicas'],
      message: `replicas: batchSize ${c.batchSize} does not split into ${c.replicas} equal shares; choose a divisor of the batch size or 'auto'`,
    })
  }
  check('gAttention', generatorResolutions(c.imageSize))
  check('dAttention', discriminatorResolutions(c.imageSize))
})

export type RunConfig = z.infer<typeof RunConfigSchema>
export type RunConfigInput = z.input<typeof RunConfigSchema>
export type PresetName = RunConfig['preset']
export type AblationName = RunConfig['ablation']

export interface Preset {
  description: string
  settings: Partial<RunConfigInput>
}

export const PRESETS: Record<PresetName, Preset> = {
  quick: {
    description:
      '32 px, width 8 (32 channels per layer), batch 32, 700 steps: on 2 CPU cores 0.6-0.8 s per step (wasm with the oneDNN kernels, two replicas), ' +
      'so 7-9 minutes of steps plus evaluations; 1.3 s per step, 15 minutes of steps, without them. On the 1 200-image demo at step 600: intra-FID 4.6, class agreement 0.37 (docs/quality.md). For trying things out.',
    // Tuned for a 15-minute budget (docs/quality.md): learning rates twice the paper's (TTUR ratio kept) took step 600
    // from intra-FID 8.5 to 4.6; EMA from step 100 with decay 0.99 averages about the last 100 steps; an evaluation and a
    // checkpoint every 200 steps, so the best evaluation always has its checkpoint.
    settings: {
      imageSize: 32,
      gCh: 8,
      dCh: 8,
      batchSize: 32,
      steps: 700,
      lrG: 2e-4,
      lrD: 8e-4,
      gAttention: [32],
      dAttention: [16],
      ema: { startStep: 100, decay: 0.99 },
      evalEvery: 200,
      checkpointEvery: { steps: 200 },
    },
  },
  standard: {
    description: '64 px, width 16 (256 down to 32 channels), batch 32, attention at 32x32 in G and D; wants tfjs-node.',
    settings: { imageSize: 64, gCh: 16, dCh: 16, batchSize: 32, steps: 20000, gAttention: [32], dAttention: [32], ema: { startStep: 2000 } },
  },
  paper: {
    description: "128 px, width 64 (the paper's model), attention at 32 and 64 as in its best FID; needs tfjs-node or a GPU.",
    settings: { imageSize: 128, gCh: 64, dCh: 64, batchSize: 64, steps: 100000, gAttention: [32, 64], dAttention: [64, 32], ema: { startStep: 20000 } },
  },
}

export interface Ablation {
  description: string
  /** What the paper found for this variant. */
  paperFinding: string
  apply: (c: RunConfigInput) => Partial<RunConfigInput>
}

export const ABLATIONS: Record<AblationName, Ablation> = {
  sagan: {
    description: 'Full SAGAN: attention, spectral norm in G and D, TTUR.',
    paperFinding: 'FID 18.65 / IS 52.52 on ImageNet 128x128, against 27.62 / 36.8 for the previous best.',
    apply: () => ({}),
  },
  'no-attention': {
    description: 'The same network with every attention block removed.',
    paperFinding: 'Without attention the baseline (SN on G/D + TTUR) reached FID 22.96; attention on feat32 brought it to 18.28.',
    apply: () => ({ gAttention: [], dAttention: [] }),
  },
  'residual-instead-of-attention': {
    description: 'A residual block of the same placement replaces each attention block (same extra depth, no global view).',
    paperFinding: 'Residual blocks in place of attention scored FID 27.33 at feat32 and 42.13 (unstable) at feat8: the gain is attention, not depth.',
    apply: () => ({ attentionBlock: 'residual' }),
  },
  'sn-d-only': {
    description: 'Spectral norm on D only, equal learning rates (lr 1e-4 for G and D).',
    paperFinding: 'SN on D only was unstable and collapsed early in training.',
    apply: () => ({ snG: false, snD: true, lrG: 1e-4, lrD: 1e-4 }),
  },
  'no-augmentation': {
    description: 'The same run without DiffAugment (real and fake images reach D as they are).',
    paperFinding:
      'DiffAugment (Zhao et al. 2020): without it D memorises small training sets and FID degrades as data shrinks (largest gap at 10-20% of CIFAR-10).',
    apply: () => ({ augment: { policy: 'off' } }),
  },
  'no-ttur': {
    description: 'Spectral norm on G and D, but equal learning rates (lr 1e-4 for both).',
    paperFinding: 'SN on G and D trained stably until about 260k iterations, then sample quality degraded; TTUR kept improving to 1M.',
    apply: () => ({ snG: true, snD: true, lrG: 1e-4, lrD: 1e-4 }),
  },
}

/** How a run augments, in a few words for its header: "off", "DiffAugment p 1", "DiffAugment adaptive (target 0.6)". */
export function augmentLabel(augment: RunConfig['augment']): string {
  if (augment.policy === 'off') return 'off'
  const ops = augment.ops.length === AUGMENT_OPS.length ? '' : ` (${augment.ops.join(', ')})`
  return augment.adaptive ? `DiffAugment${ops} adaptive, target ${augment.target}` : `DiffAugment${ops} p ${augment.p}`
}

/** What the dataset decides when the user does not: DiffAugment below AUGMENT_BELOW_IMAGES images. */
function datasetDefaults(images: number): Partial<RunConfigInput> {
  return images < AUGMENT_BELOW_IMAGES ? { augment: { policy: 'diffaugment' } } : {}
}

/** What buildRunConfig knows about the dataset, when it knows it. */
export interface DatasetFacts {
  images: number
}

/**
 * preset, then the dataset's defaults, then ablation, then overrides (e.g.
 * channels/numClasses from the dataset, steps from the CLI).
 */
export function buildRunConfig(
  preset: PresetName = 'quick',
  ablation: AblationName = 'sagan',
  overrides: Partial<RunConfigInput> = {},
  dataset?: DatasetFacts,
): RunConfig {
  const base: RunConfigInput = { ...PRESETS[preset].settings, ...(dataset ? datasetDefaults(dataset.images) : {}), preset, ablation }
  const ablatedPart = ABLATIONS[ablation].apply(base)
  const ablated: RunConfigInput = { ...base, ...ablatedPart, augment: { ...base.augment, ...ablatedPart.augment } }
  const merged: RunConfigInput = {
    ...ablated,
    ...overrides,
    ema: { ...ablated.ema, ...overrides.ema },
    checkpointEvery: { ...ablated.checkpointEvery, ...overrides.checkpointEvery },
    augment: { ...ablated.augment, ...overrides.augment },
  }
  return RunConfigSchema.parse(merged)
}
