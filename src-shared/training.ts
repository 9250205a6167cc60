// Training types that cross the contract: starting a run, its live progress,
// its loss log and its sample sheets.
import { z } from 'zod'
import { ABLATIONS, PRESETS, type AblationName, type PresetName } from './run-config'

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

export const DEMO_DATASET = 'demo'

export interface RunProgress {
  runId: string
  step: number
  targetStep: number
  dLossReal: number
  dLossFake: number
  gLoss: number
  gammas: { layer: string; value: number }[]
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
  imagesPerSecond: number
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
