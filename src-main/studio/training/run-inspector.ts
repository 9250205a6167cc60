// Looks inside a run's saved generator without training it: an inspection
// worker loads one checkpoint and answers attention and sample requests.
// Used for the attention overlay and for exported sheets, live run or not.
import type { Worker } from 'node:worker_threads'
import type { RunConfig } from '../../../src-shared/run-config'
import type { AttentionView } from '../../../src-shared/training'
import { StudioError } from '../../../src-shared/errors'
import { SHEET_PER_CLASS, SHEET_UNCONDITIONAL, fixedLatents, sheetColumns } from '../../engine/fixed-latents'
import type { InspectionCalls } from '../../engine/worker/inspection-contract'
import { encodeHeatmap, encodeImage } from '../../export/heatmap'
import type { StoredCheckpoint } from '../../store/training-store'
import { spawnBundledWorker } from '../../workers/bundled-worker'
import { connectWorker, type Rpc } from '../../workers/rpc'
import { stopWorker } from '../../workers/worker-stop'

/** Shown size of the sample and its map, in pixels. */
const VIEW_PX = 256

export interface AttentionQuery {
  /** Row of the sample sheet (its class), 0 for unconditional runs. */
  row: number
  /** Column of the sample sheet (which fixed latent of that class). */
  column: number
  /** Query pixel in the image, 0..imageSize-1. */
  x: number
  y: number
  weights: 'raw' | 'ema'
}

export class RunInspector {
  private readonly worker: Worker
  private readonly rpc: Rpc<InspectionCalls>
  private readonly opened: Promise<unknown>

  /** The checkpoint requests are answered from. */
  checkpoint: StoredCheckpoint

  constructor(
    private readonly config: RunConfig,
    checkpoint: StoredCheckpoint,
    classNames: string[],
  ) {
    this.checkpoint = checkpoint
    this.worker = spawnBundledWorker('inspection-worker')
    this.rpc = connectWorker<InspectionCalls>(this.worker, 'inspection worker')
    this.opened = this.rpc.open({ config, classNames, state: checkpoint.state })
    // Awaited by every request; a failure before any request must not go unhandled.
    this.opened.catch(() => undefined)
  }

  async attention(q: AttentionQuery): Promise<AttentionView> {
    await this.opened
    // The sheet's fixed latents, row-major: the same ones the gallery shows.
    const perClass = this.config.numClasses > 0 ? SHEET_PER_CLASS : SHEET_UNCONDITIONAL
    const index = q.row * sheetColumns(this.config.numClasses) + q.column
    const all = fixedLatents(this.config, perClass, this.config.seed)
    if (index < 0 || index >= all.labels.length)
      throw new StudioError('invalid-argument', `No sample at row ${q.row}, column ${q.column} of this run's sheet.`, 'row')
    const { zDim, imageSize, channels } = this.config
    const z = all.z.slice(index * zDim, (index + 1) * zDim)
    const label = all.labels[index]
    const image = await this.samples(z, Int32Array.of(label), q.weights)
    const a = await this.rpc.attention(z, label, { x: q.x, y: q.y }, q.weights)
    return {
      step: this.checkpoint.step,
      image: await encodeImage(image, imageSize, channels, VIEW_PX),
      heatmap: await encodeHeatmap(a.map, a.width, a.height, VIEW_PX),
      size: VIEW_PX,
      keyWidth: a.width,
      keyHeight: a.height,
      layer: a.layer,
      variant: a.variant,
      query: { x: q.x, y: q.y },
    }
  }

  /** [N, S, S, C] uint8 images of this checkpoint's generator for latents z [N, zDim] and labels [N]. */
  async samples(z: Float32Array, labels: Int32Array, weights: 'raw' | 'ema'): Promise<Uint8Array> {
    await this.opened
    return this.rpc.samples(z, labels, weights)
  }

  /** Answers from another checkpoint of the same run from now on, in the same worker. */
  async load(checkpoint: StoredCheckpoint): Promise<void> {
    await this.opened
    await this.rpc.load(checkpoint.state)
    this.checkpoint = checkpoint
  }

  dispose(): Promise<void> {
    return stopWorker(this.worker)
  }
}
