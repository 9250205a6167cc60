// Training types that cross the contract: starting a run, its live progress,
// its loss log and its sample sheets.
import { z } from 'zod'
import { ABLATIONS, MAX_STEPS, PRESETS, type AblationName, type PresetName } from './run-config'

export const StartRunSchema = z
  .object({
    /** Absolute path of the image folder, or "demo" for the built-in Fashion-MNIST set. */
    datasetPath: z.string().min(1, 'choose a dataset folder').max(4096),
    name: z.string().trim().min(1).max(200).optional(),
    preset: z.enum(Object.keys(PRESETS) as [PresetName, ...PresetName[]]).default('quick'),
    ablation: z.enum(Object.keys(ABLATIONS) as [AblationName, ...AblationName[]]).default('sagan'),
    /** Any run-config field; checked against the run-config schema by the service. */
    overrides: z.record(z.string().max(64), z.unknown()).optional(),
  })
  .strict()
export type StartRunRequest = z.input<typeof StartRunSchema>
/** A start request as the contract's schema gives it to the service (preset and ablation filled in). */
export type StartRun = z.output<typeof StartRunSchema>

export const DEMO_DATASET = 'demo'

export interface RunProgress {
  runId: string
  step: number
  targetStep: number
  dLossReal: number
  dLossFake: number
  gLoss: number
  gammas: { layer: string; value: number }[]
  /** D's overfitting signal r_t = E[sign(D(real))] since the last report (ADA); null in logs from before it was recorded. */
  realSign: number | null
  /** DiffAugment's probability p; null when the run does not augment. */
  augmentP: number | null
  imagesPerSecond: number
  etaSeconds: number
  backend: string
}

export interface LogPoint {
  step: number
  dLossReal: number
  dLossFake: number
  gLoss: number
  gammas: { layer: string; value: number }[]
  realSign: number | null
  augmentP: number | null
  imagesPerSecond: number
}

/** The spectral norm sigma of every SN weight of G and D at one step (read at sample sheets). */
export interface SigmaPoint {
  step: number
  sigmas: { layer: string; sigma: number }[]
}

export type SampleWeights = 'raw' | 'ema'

export interface SampleSheet {
  step: number
  weights: SampleWeights
  /** PNG: one row per class (class order as in classNames), fixed noise per column. */
  png: Uint8Array
  perClass: number
  classNames: string[]
  /** Pixel size of one cell and of the gap between cells, to map clicks to samples. */
  cell: number
  gap: number
}

export const AttentionRequestSchema = z
  .object({
    /** Step of the sheet the sample is on; the checkpoint at or before it is used. */
    step: z.number().int().min(0).max(MAX_STEPS),
    /** Sheet row (class) and column (fixed latent) of the sample. */
    row: z.number().int().min(0).max(10_000),
    column: z.number().int().min(0).max(1_000),
    /** Query pixel in image coordinates. */
    x: z.number().int().min(0).max(1023),
    y: z.number().int().min(0).max(1023),
    weights: z.enum(['raw', 'ema']),
  })
  .strict()
export type AttentionRequest = z.infer<typeof AttentionRequestSchema>

/** The generator's last attention layer for one query pixel of one sample. */
export interface AttentionView {
  /** Step of the checkpoint the map was computed from. */
  step: number
  /** The sample as that checkpoint draws it (PNG, size x size). */
  image: Uint8Array
  /** Attention weights over the key positions as a translucent colour map (PNG, size x size). */
  heatmap: Uint8Array
  size: number
  /** Key grid of the map: the layer's side, halved by the official 2x2-pooled variant. */
  keyWidth: number
  keyHeight: number
  layer: string
  variant: 'pooled' | 'full'
  query: { x: number; y: number }
}

/** What a run will cost before it starts: memory against the backend's limit, and time. */
export interface RunEstimate {
  /** e.g. "wasm", or "wasm × 2" with data-parallel replicas. */
  backend: string
  /** Data-parallel replicas the run would train with. */
  replicas: number
  /** One replica's need and limit (each has its own heap). */
  memoryBytes: number
  limitBytes: number
  /** Every replica together against this machine's memory (fits needs both this and the per-replica limit). */
  machine: { allReplicasBytes: number; totalBytes: number; freeBytes: number }
  fits: boolean
  /** When it does not fit: what takes the room and what to lower. */
  advice: string | null
  /** webgpu: GPU memory is not reported, so the check is the largest tensor against the adapter's per-buffer limit. */
  gpuBuffer?: { largest: string; largestBytes: number; limitBytes: number }
  flopsPerStep: number
  secondsPer1000Steps: number
  /** How the time was estimated, in words. */
  basis: string
}
