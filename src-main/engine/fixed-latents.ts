// The gallery's fixed noise: nPerClass latents per class, class-major, drawn
// from the run seed alone. Pure (no tensors), so the main process can name a
// sample's latent without asking the trainer.
import type { RunConfig } from '../../src-shared/run-config'
import { Rng } from '../random'

/** Scheduled sample sheets: this many fixed latents per class, or for an unconditional run. */
export const SHEET_PER_CLASS = 8
export const SHEET_UNCONDITIONAL = 64

/** Fixed latents per class on the gallery sheet (all of them for an unconditional run). */
export function sheetPerClass(numClasses: number): number {
  return numClasses > 0 ? SHEET_PER_CLASS : SHEET_UNCONDITIONAL
}

/** Latents on one sheet row: one per column. */
export function sheetColumns(numClasses: number): number {
  return numClasses > 0 ? SHEET_PER_CLASS : Math.round(Math.sqrt(SHEET_UNCONDITIONAL))
}

export function fixedLatents(config: Pick<RunConfig, 'numClasses' | 'zDim'>, nPerClass: number, seed: number): { z: Float32Array; labels: Int32Array } {
  const classes = Math.max(1, config.numClasses)
  const rng = new Rng(seed)
  const labels = new Int32Array(classes * nPerClass)
  for (let i = 0; i < labels.length; i++) labels[i] = Math.floor(i / nPerClass)
  return { z: rng.normal(labels.length * config.zDim), labels }
}
