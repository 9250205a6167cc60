// What a run's evaluation (main process) asks of its evaluation worker
// (workers/rpc.ts carries it). Evaluation runs on its own thread so it never
// holds up training or progress events.
import type { MetricValue } from '../../../src-shared/metrics'
import type { BackendPreference } from '../../../src-shared/run-config'
import type { SampleHealth } from '../../../src-shared/sample-health'

export interface RealImages {
  /** [N, size, size, channels] uint8 real images of the run's dataset. */
  images: Uint8Array
  labels: Int32Array
  numClasses: number
  imageSize: number
  channels: 1 | 3
}

export interface EvaluationPrepare {
  backend: BackendPreference
  real: RealImages
  /** Cached bytes from an earlier run on the same dataset, when the store has them. */
  cached: { classifier?: Uint8Array; reference?: Uint8Array }
}

export interface EvaluationRequest {
  step: number
  images: Uint8Array
  labels?: Int32Array
  /** The fixed-noise grid at this step (gallery latents), for the sample-health checks. */
  grid?: FixedNoiseGrid
}

export interface FixedNoiseGrid {
  /** [count, size, size, channels] uint8, class-major rows of `columns`. */
  images: Uint8Array
  labels: Int32Array
  columns: number
  weights: 'raw' | 'ema'
}

/** One grid sample's nearest real training images, nearest first. */
interface GridNeighbours {
  sample: number
  neighbours: { rank: number; distance: number; realIndex: number; classIndex: number | null }[]
}

export interface HealthMessage {
  report: SampleHealth
  nearest: GridNeighbours[]
  /** [count * k, size, size, channels] uint8: the neighbours' pixels, in `nearest` order. */
  neighbourImages: Uint8Array
}

export interface Prepared {
  extractorDetail: string
  seconds: number
  /** Present when newly built, so the main process can cache them. */
  built: { classifier?: Uint8Array; reference?: Uint8Array }
}

export interface Evaluated {
  step: number
  values: MetricValue[]
  warnings: string[]
  seconds: number
  health?: HealthMessage
}

export interface EvaluationCalls {
  /** Trains or restores the dataset-classifier extractor and builds the real-image reference; once, first. */
  prepare(prepare: EvaluationPrepare): Promise<Prepared>
  /** Labelled metric values of these samples and, given the grid, the sample-health checks. */
  evaluate(request: EvaluationRequest): Promise<Evaluated>
}
