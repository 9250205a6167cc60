// Data-parallel training on several cores: the primary trainer (rank 0, in the
// training worker) plus size - 1 replica workers, each with its own tfjs
// backend. Every batch is split into equal shares; gradients, BN statistics
// and losses are all-reduced, so the replicas stay identical and a step
// computes what one trainer on the whole batch would (up to float rounding).
import type { Worker } from 'node:worker_threads'
import type { BackendPreference } from '../../../src-shared/run-config'
import { type Batch, SaganTrainer, type StepResult, type TrainingData } from '../trainer'
import { createCollectiveBuffers, SharedMemoryCollective } from '../parallel/collective'
import { assertInLockstep, exchangeDigests } from '../parallel/lockstep'
import { connectWorker, type Rpc, transferring } from '../../workers/rpc'
import { stopWorker } from '../../workers/worker-stop'
import type { ReplicaCalls, ReplicaInit } from './replica-contract'

export type SpawnReplica = (init: ReplicaInit) => Worker

/** Replica r's share of one batch: images [B/size, H, W, C], labels [B/size]. */
function splitBatch(batch: Batch, size: number): Batch[] {
  const n = batch.labels.length
  if (n % size !== 0) throw new Error(`data-parallel: a batch of ${n} images does not split into ${size} equal shares`)
  const share = n / size
  const bytes = batch.images.length / n
  return Array.from({ length: size }, (_, r) => ({
    images: batch.images.slice(r * share * bytes, (r + 1) * share * bytes),
    labels: batch.labels.slice(r * share, (r + 1) * share),
  }))
}

export class ReplicaGroup {
  private closing = false

  private constructor(
    private readonly trainer: SaganTrainer,
    private readonly collective: SharedMemoryCollective,
    private readonly workers: Worker[],
    private readonly replicas: Rpc<ReplicaCalls>[],
  ) {
    // A replica that dies between steps fails the next step at once instead of hanging it.
    workers.forEach((w, i) => {
      w.on('error', (err) => collective.abort(`replica ${i + 1} failed: ${err.message}`))
      w.on('exit', (code) => {
        if (!this.closing) collective.abort(`replica ${i + 1} exited (code ${code})`)
      })
    })
  }

  /** Spawns size - 1 replicas holding the trainer's current state and attaches the trainer as rank 0. */
  static async start(trainer: SaganTrainer, size: number, backend: BackendPreference, data: TrainingData, spawn: SpawnReplica): Promise<ReplicaGroup> {
    if (trainer.config.batchSize % size !== 0) throw new Error(`data-parallel: batchSize ${trainer.config.batchSize} does not split into ${size} replicas`)
    const buffers = createCollectiveBuffers(size, trainer.exchangeCapacity)
    const state = SaganTrainer.serializeState(await trainer.getState())
    const workers: Worker[] = []
    const replicas: Rpc<ReplicaCalls>[] = []
    try {
      for (let rank = 1; rank < size; rank++) {
        const worker = spawn({ rank, buffers, config: trainer.config, data, state, backend })
        workers.push(worker)
        replicas.push(connectWorker<ReplicaCalls>(worker, 'replica worker'))
      }
      await Promise.all(
        replicas.map((r, i) => r.started().catch((err: Error) => Promise.reject(new Error(`replica ${i + 1} could not start: ${err.message}`)))),
      )
    } catch (err) {
      await Promise.all(workers.map((w) => stopWorker(w)))
      throw err
    }
    const collective = new SharedMemoryCollective(buffers, 0)
    trainer.attachCollective(collective)
    return new ReplicaGroup(trainer, collective, workers, replicas)
  }

  get size(): number {
    return this.collective.size
  }

  /** One training step over whole batches (trainer.batchesPerStep of them); blocks until every replica has done its share. */
  async trainStep(batches: Batch[]): Promise<StepResult> {
    const shares = batches.map((b) => splitBatch(b, this.size))
    // Each call is posted at once; the replicas compute while this trainer does its own share.
    const replicas = this.replicas.map((r, i) => {
      const mine = shares.map((s) => s[i + 1])
      return r.step(
        transferring(
          mine,
          mine.flatMap((b) => [b.images.buffer, b.labels.buffer]),
        ),
      )
    })
    return this.together(this.trainer.trainStep(shares.map((s) => s[0])), replicas)
  }

  /**
   * Throws if any replica's state differs from the primary's (they must be identical after every step).
   * state: the primary's serialized state, when the caller has it already (a checkpoint does).
   */
  async verifyLockstep(state?: Uint8Array): Promise<void> {
    const bytes = state ?? SaganTrainer.serializeState(await this.trainer.getState())
    const replicas = this.replicas.map((r) => r.verify())
    await this.together(
      Promise.resolve().then(() => assertInLockstep(exchangeDigests(bytes, this.collective))),
      replicas,
    )
  }

  /**
   * The primary's part of a collective operation, after every replica did its part.
   * A failure anywhere aborted the collective, so the primary's own error (which names
   * the replica that failed) is the one to report.
   */
  private async together<T>(primary: Promise<T>, replicas: Promise<void>[]): Promise<T> {
    const all = Promise.all(replicas)
    try {
      const result = await primary
      await all
      return result
    } catch (err) {
      await all.catch(() => undefined)
      throw err
    }
  }

  /** Stops the replicas; the trainer goes on alone with the group's (identical) state. */
  async dispose(): Promise<void> {
    this.closing = true
    this.trainer.attachCollective(null)
    this.collective.abort('the replica group was shut down')
    await Promise.all(this.workers.map((w) => stopWorker(w)))
  }
}
