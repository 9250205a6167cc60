// GAN health checks of generated samples, as they cross to the UI and the store: near-duplicates
// in the fixed-noise grid (collapse) and the nearest real training images (memorisation), both
// measured in a feature extractor's space and calibrated on the real images. Pure TypeScript.
import type { ExtractorId } from './metrics'

export interface DuplicatePair {
  /** Grid positions (row-major, class-major rows) of the two samples, a < b. */
  a: number
  b: number
  distance: number
}

export interface SampleHealth {
  step: number
  weights: 'raw' | 'ema'
  /** Features both checks are measured in (the extractor FID uses). */
  extractor: ExtractorId
  extractorDetail: string
  /** The fixed-noise grid (the gallery's latents) at this step: `count` samples, `columns` per row. */
  grid: { count: number; columns: number }
  /** Real training images the checks compare against (a seeded subset of larger datasets). */
  nReal: number
  duplicates: {
    /** Distance below which two same-class real images count as near-duplicates (their `quantile` quantile). */
    threshold: number
    quantile: number
    /** Same-class pairs of the grid compared, and the share of them closer than the threshold. */
    pairsChecked: number
    fraction: number
    /** Closest first; at most MAX_LISTED_PAIRS. */
    pairs: DuplicatePair[]
    /** Grid positions in at least one near-duplicate pair. */
    samples: number[]
    /** Set when the share is high enough to suspect mode collapse. */
    warning: string | null
  }
  memorisation: {
    /** Median nearest-real distance of generated samples / median nearest-neighbour distance among real images. */
    ratio: number
    medianNearestReal: number
    realMedianNearest: number
    /** Generated images the ratio was computed over. */
    nFake: number
  }
}

/** The fixed-noise grid an evaluation checked, as PNG, with the geometry to find a sample in it. */
export interface HealthGrid {
  step: number
  png: Uint8Array
  /** Cell side and the space between cells, in pixels of the PNG. */
  cell: number
  gap: number
  columns: number
  count: number
}

/** One grid sample's nearest real training images, nearest first, as PNG. */
export interface NearestRealView {
  step: number
  sample: number
  /** The class the sample was conditioned on; null for an unconditional run. */
  classIndex: number | null
  extractor: ExtractorId
  nReal: number
  /** For scale: the median distance between a real image and its nearest other real image. */
  realMedianNearest: number
  neighbours: { rank: number; distance: number; realIndex: number; classIndex: number | null; png: Uint8Array }[]
}

/** How close samples are to training images compared with training images to each other. */
export function memorisationVerdict(ratio: number): string {
  if (ratio < 0.8) return 'closer to training images than they are to each other: likely copying'
  if (ratio < 1) return 'slightly closer to training images than they are to each other: watch for copying'
  return 'no closer to training images than they are to each other'
}
