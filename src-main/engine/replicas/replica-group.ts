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
import type { PrimaryToReplica, ReplicaInit, ReplicaToPrimary } from './replica-messages'

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
    try {
      for (let rank = 1; rank < size; rank++) workers.push(spawn({ rank, buffers, config: trainer.config, data, state, backend }))
      await Promise.all(workers.map((w, i) => whenReady(w, i + 1)))
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()))
      throw err
    }
    const collective = new SharedMemoryCollective(buffers, 0)
    trainer.attachCollective(collective)
    return new ReplicaGroup(trainer, collective, workers)
  }

  get size(): number {
    return this.collective.size
  }

  /** One training step over whole batches (trainer.batchesPerStep of them); blocks until every replica has done its share. */
  trainStep(batches: Batch[]): Promise<StepResult> {
    const shares = batches.map((b) => splitBatch(b, this.size))
    this.workers.forEach((w, i) => {
      const mine = shares.map((s) => s[i + 1])
      post(w, { type: 'step', batches: mine }, mine.flatMap((b) => [b.images.buffer as ArrayBuffer, b.labels.buffer as ArrayBuffer]))
    })
    return this.trainer.trainStep(shares.map((s) => s[0]))
  }

  /**
   * Throws if any replica's state differs from the primary's (they must be identical after every step).
   * state: the primary's serialized state, when the caller has it already (a checkpoint does).
   */
  async verifyLockstep(state?: Uint8Array): Promise<void> {
    state ??= SaganTrainer.serializeState(await this.trainer.getState())
    for (const w of this.workers) post(w, { type: 'verify' })
    assertInLockstep(exchangeDigests(state, this.collective))
  }

  /** Stops the replicas; the trainer goes on alone with the group's (identical) state. */
  async dispose(): Promise<void> {
    this.closing = true
    this.trainer.attachCollective(null)
    this.collective.abort('the replica group was shut down')
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}

function post(worker: Worker, message: PrimaryToReplica, transfer: ArrayBuffer[] = []): void {
  worker.postMessage(message, transfer)
}

function whenReady(worker: Worker, rank: number): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.once('message', (m: ReplicaToPrimary) => (m.type === 'ready' ? resolve() : reject(new Error(`replica ${rank} could not start: ${m.message}`))))
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`replica ${rank} exited before it was ready (code ${code})`)))
  })
}
