// A trainer restored from a checkpoint that never trains: it answers sample
// and attention requests (the attention overlay, exported sheets) and can
// swap to another checkpoint of the same run. Free of worker_threads, as the
// training session; inspection-worker.ts is the shell.
import type { BackendInfo, RunConfig } from '../../../src-shared/run-config'
import { transferring } from '../../workers/rpc'
import { initBackend } from '../backend'
import type { AttentionMap, WeightsChoice } from '../inference'
import { SaganTrainer, type TrainingData } from '../trainer'
import type { InspectionCalls, InspectionOpen } from './inspection-contract'

export class InspectionSession implements InspectionCalls {
  private run: { config: RunConfig; data: TrainingData } | null = null
  private trainer: SaganTrainer | null = null
  /** One request at a time: a swap must not happen under a sample being drawn (reads are asynchronous). */
  private serial: Promise<unknown> = Promise.resolve()

  open({ config, classNames, state }: InspectionOpen): Promise<{ backend: BackendInfo; step: number }> {
    return this.exclusive(async () => {
      if (this.run) throw new Error('open: this inspection worker already holds a run; load its other checkpoints instead')
      const backend = await initBackend(config.backend, { webgpu: true })
      const data: TrainingData = { numClasses: classNames.length, classNames, imageSize: config.imageSize, channels: config.channels }
      this.trainer = await SaganTrainer.restore(config, data, SaganTrainer.deserializeState(state))
      this.run = { config, data }
      return { backend, step: this.trainer.completedSteps }
    })
  }

  load(state: Uint8Array): Promise<{ step: number }> {
    return this.exclusive(async () => {
      if (!this.run) throw new Error('load: open a run first')
      const next = await SaganTrainer.restore(this.run.config, this.run.data, SaganTrainer.deserializeState(state))
      this.trainer?.dispose()
      this.trainer = next
      return { step: next.completedSteps }
    })
  }

  samples(z: Float32Array, labels: Int32Array, weights: WeightsChoice): Promise<Uint8Array> {
    return this.exclusive(async () => {
      const images = await this.need().sample(z, labels, weights)
      return transferring(images, [images.buffer])
    })
  }

  attention(z: Float32Array, label: number, query: { x: number; y: number }, weights: WeightsChoice): Promise<AttentionMap> {
    return this.exclusive(async () => {
      const attention = await this.need().attentionMap(z, label, query, weights)
      return transferring(attention, [attention.map.buffer])
    })
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work)
    this.serial = run.catch(() => undefined)
    return run
  }

  private need(): SaganTrainer {
    if (!this.trainer) throw new Error('no checkpoint loaded: open a run first')
    return this.trainer
  }
}
