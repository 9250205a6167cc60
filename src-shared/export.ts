// Sample-sheet export: the options a user picks (UI dialog, CLI flags) and
// what comes back. One schema validates both.
import { z } from 'zod'
import type { SelectionScore } from './metrics'
import { MAX_STEPS } from './run-config'

export const SHEET_KINDS = ['grid', 'timeline', 'interp'] as const
export type SheetKind = (typeof SHEET_KINDS)[number]

export const SHEET_FORMATS = ['png', 'jpeg', 'webp'] as const
export type SheetFormat = (typeof SHEET_FORMATS)[number]

export const SHEET_KIND_LABELS: Record<SheetKind, string> = {
  grid: 'Grid: N samples per class',
  timeline: 'Timeline: the same latents at each checkpoint',
  interp: 'Interpolation: a walk between two latents per row',
}

/** Samples per row when the user gives none: a full grid, one timeline row per class, one walk per class. */
export const DEFAULT_PER_CLASS: Record<SheetKind, number> = { grid: 8, timeline: 1, interp: 1 }

/** Most images one sheet may hold, and the largest side (WebP's limit is 16383). */
export const MAX_SHEET_IMAGES = 2048
export const MAX_SHEET_SIDE = 16000

export const SheetOptionsSchema = z
  .object({
    kind: z.enum(SHEET_KINDS).default('grid'),
    /** Checkpoint to sample (grid, interp); default: the best by intra-FID (FID when unconditional), else the newest. */
    step: z.number().int().min(0).max(MAX_STEPS).optional(),
    /** Timeline columns, as kept checkpoint steps; default: every kept checkpoint (at most 16). */
    steps: z.array(z.number().int().min(0).max(MAX_STEPS)).min(1).max(16).optional(),
    /** Class indices in the order the rows should appear; default: every class. */
    classes: z
      .array(z.number().int().min(0))
      .min(1, 'pick at least one class')
      .max(1000)
      .refine((c) => new Set(c).size === c.length, 'a class appears twice')
      .optional(),
    /** Samples per class row (grid), rows per class (timeline, interp); unconditional grids are N x N. */
    perClass: z.number().int().min(1).max(64).optional(),
    /** Interpolation frames per row, both ends included. */
    frames: z.number().int().min(2).max(32).default(8),
    /** Latent seed; default: the run's seed (at 8 per class that is the gallery's own sheet). */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    /** Generator weights; default: EMA when the run keeps them. */
    weights: z.enum(['raw', 'ema']).optional(),
    /** Truncation trick: latent values beyond +-t are drawn again (BigGAN); none by default. */
    truncation: z.number().min(0.05).max(4).optional(),
    /** Cell size in pixels (nearest-neighbour upscaling); default: the image scaled to at least 64. */
    cell: z.number().int().min(8).max(512).optional(),
    padding: z.number().int().min(0).max(64).default(4),
    background: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #ffffff')
      .default('#ffffff'),
    labels: z.boolean().default(true),
    header: z.boolean().default(true),
    footer: z.boolean().default(true),
    format: z.enum(SHEET_FORMATS).default('png'),
    /** JPEG and WebP quality. */
    quality: z.number().int().min(1).max(100).default(92),
  })
  .strict()

export type SheetOptions = z.input<typeof SheetOptionsSchema>
export type ResolvedSheetOptions = z.output<typeof SheetOptionsSchema>

export interface SheetResult {
  bytes: Uint8Array
  format: SheetFormat
  mime: string
  width: number
  height: number
  /** A file name to offer when saving: run, kind, step. */
  fileName: string
  /** Checkpoint step(s) sampled, left to right for a timeline. */
  steps: number[]
  weights: 'raw' | 'ema'
  seed: number
}

const EXTENSIONS: Record<string, SheetFormat> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', webp: 'webp' }

/** The format a file name asks for by its extension, if it is one of ours. */
export function formatOfFileName(name: string): SheetFormat | undefined {
  return EXTENSIONS[name.split('.').pop()?.toLowerCase() ?? '']
}

export const SHEET_MIME: Record<SheetFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' }

/** A run name as a file-name part: "My run #2" -> "my-run-2". */
export function fileSlug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'run'
  )
}

/** A generator written as TF.js graph models (see HOW-TO-SAMPLE.md in the folder). */
export interface ModelExport {
  dir: string
  step: number
  files: string[]
}

/**
 * The checkpoint a sheet or model comes from when the user names none: the best by its score
 * (intra-FID for a conditional run, FID otherwise; see selectionMetric), else the newest.
 */
export function defaultCheckpointStep(checkpoints: CheckpointInfo[]): number | undefined {
  return bestCheckpoint(checkpoints)?.step ?? checkpoints.at(-1)?.step
}

/** The kept checkpoint with the lowest score; undefined when none was evaluated. */
export function bestCheckpoint(checkpoints: CheckpointInfo[]): (CheckpointInfo & { score: SelectionScore }) | undefined {
  const scored = checkpoints.filter((c): c is CheckpointInfo & { score: SelectionScore } => c.score !== null)
  return scored.sort((a, b) => a.score.value - b.score.value || b.step - a.step)[0]
}

/** Why a step cannot be drawn from: only kept checkpoints hold a generator. */
export function notKeptMessage(steps: number[], kept: number[]): string {
  return `${steps.length === 1 ? `Step ${steps[0]} has` : `Steps ${steps.join(', ')} have`} no kept checkpoint. Kept: ${kept.join(', ')}.`
}

/** A kept checkpoint, as the export dialog lists it. */
export interface CheckpointInfo {
  step: number
  bytes: number
  /** The run's selection metric (intra-FID, or FID when unconditional) at this step, if an evaluation ran at it. */
  score: SelectionScore | null
  reason: string
}
