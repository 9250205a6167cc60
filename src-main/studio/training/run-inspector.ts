// Looks inside a run's saved generator without training it: a training
// worker loads one checkpoint in inspect-only mode and answers attention and
// sample requests. Used for the attention overlay and for exported sheets,
// live run or not.
import type { Worker } from 'node:worker_threads'
import type { RunConfig } from '../../../src-shared/run-config'
import type { AttentionView } from '../../../src-shared/training'
import { StudioError } from '../../../src-shared/errors'
import { SHEET_PER_CLASS, SHEET_UNCONDITIONAL, fixedLatents, sheetColumns } from '../../engine/fixed-latents'
import type { MainToWorker, WorkerToMain } from '../../engine/worker/messages'
import { encodeHeatmap, encodeImage } from '../../export/heatmap'
import type { StoredCheckpoint } from '../../store/training-store'
import { spawnBundledWorker } from '../../engine/worker/bundled-worker'

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
  private readonly ready: Promise<void>
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (m: WorkerToMain) => void; reject: (e: Error) => void }>()
  private failure: Error | null = null

  /** The checkpoint requests are answered from. */
  checkpoint: StoredCheckpoint

  constructor(
    private readonly config: RunConfig,
    checkpoint: StoredCheckpoint,
    classNames: string[],
  ) {
    this.checkpoint = checkpoint
    this.worker = spawnBundledWorker('training-worker')
    let markReady!: () => void
    let fail!: (e: Error) => void
    this.ready = new Promise((resolve, reject) => ((markReady = resolve), (fail = reject)))
    // Awaited by every request; a failure before any request must not go unhandled.
    this.ready.catch(() => undefined)
    this.worker.on('message', (m: WorkerToMain) => {
      if (m.type === 'ready') markReady()
      else if (m.type === 'error' && m.requestId === undefined) fail(new Error(m.message))
      const id = 'requestId' in m ? m.requestId : undefined
      if (id !== undefined) this.pending.get(id)?.resolve(m)
    })
    // A crashed or ended worker answers nothing more: fail what is waiting.
    const lost = (err: Error) => {
      this.failure = err
      fail(err)
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    this.worker.on('error', lost)
    this.worker.on('exit', (code) => lost(new Error(`the inspection worker exited (code ${code})`)))
    const start: MainToWorker = {
      type: 'start',
      config,
      dataset: { images: new Uint8Array(0), labels: new Int32Array(0), classNames, imageSize: config.imageSize, channels: config.channels },
      resume: { state: checkpoint.state },
      inspectOnly: true,
    }
    this.worker.postMessage(start)
  }

  async attention(q: AttentionQuery): Promise<AttentionView> {
    await this.ready
    // The sheet's fixed latents, row-major: the same ones the gallery shows.
    const perClass = this.config.numClasses > 0 ? SHEET_PER_CLASS : SHEET_UNCONDITIONAL
    const index = q.row * sheetColumns(this.config.numClasses) + q.column
    const all = fixedLatents(this.config, perClass, this.config.seed)
    if (index < 0 || index >= all.labels.length) throw new StudioError('invalid-argument', `No sample at row ${q.row}, column ${q.column} of this run's sheet.`, 'row')
    const { zDim, imageSize, channels } = this.config
    const z = all.z.slice(index * zDim, (index + 1) * zDim)
    const label = all.labels[index]
    const image = await this.samples(z, Int32Array.of(label), q.weights)
    const map = await this.request({ type: 'requestAttention', requestId: 0, z, label, query: { x: q.x, y: q.y }, weights: q.weights })
    if (map.type !== 'attention') throw new Error(map.type === 'error' ? map.message : 'unexpected reply')
    const a = map.attention
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
    await this.ready
    const reply = await this.request({ type: 'requestSamples', requestId: 0, z, labels, weights })
    if (reply.type !== 'samples') throw new Error(reply.type === 'error' ? reply.message : 'unexpected reply')
    return reply.images
  }

  /** Answers from another checkpoint of the same run from now on, in the same worker. */
  async load(checkpoint: StoredCheckpoint): Promise<void> {
    await this.ready
    const reply = await this.request({ type: 'inspectState', requestId: 0, state: checkpoint.state })
    if (reply.type !== 'inspecting') throw new Error(reply.type === 'error' ? reply.message : 'unexpected reply')
    this.checkpoint = checkpoint
  }

  dispose(): void {
    void this.worker.terminate()
  }

  private request(message: Extract<MainToWorker, { requestId: number }>): Promise<WorkerToMain> {
    if (this.failure) return Promise.reject(this.failure)
    const requestId = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, {
        resolve: (m) => {
          this.pending.delete(requestId)
          resolve(m)
        },
        reject,
      })
      this.worker.postMessage({ ...message, requestId })
    })
  }
}
