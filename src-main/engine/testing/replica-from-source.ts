// Test and benchmark spawner: a replica worker on the TypeScript source (the
// bootstrap registers tsx and the tfjs resolve hook); the app runs the bundle.
import { Worker } from 'node:worker_threads'
import type { BackendPreference } from '../../../src-shared/run-config'
import { type ReplicaPlan, planReplicas } from '../replicas/replica-count'
import { ReplicaGroup, type SpawnReplica } from '../replicas/replica-group'
import type { Batch, SaganTrainer, StepResult, TrainingData } from '../trainer'

const bootstrap = new URL('./ts-worker-bootstrap.mjs', import.meta.url)
const entry = new URL('../replicas/replica-worker.ts', import.meta.url).href

export const spawnReplicaFromSource: SpawnReplica = (init) => new Worker(bootstrap, { workerData: { ...init, entry } })

interface BenchReplicas {
  plan: ReplicaPlan
  /** A step over whole batches, on the group when there is one. */
  trainStep: (batches: Batch[]) => Promise<StepResult>
  dispose: () => Promise<void>
  /** Lockstep check (a no-op for a single trainer). */
  verifyLockstep: () => Promise<void>
}

/** Benchmarks: the replicas a --replicas flag ('auto' or a count) asks for, planned as the studio plans them. */
export async function benchReplicas(trainer: SaganTrainer, data: TrainingData, backend: string, flag: string): Promise<BenchReplicas> {
  const plan = planReplicas({ batchSize: trainer.config.batchSize, replicas: flag === 'auto' ? 'auto' : Number(flag) }, backend)
  const group = plan.count > 1 ? await ReplicaGroup.start(trainer, plan.count, backend as BackendPreference, data, spawnReplicaFromSource) : null
  return {
    plan,
    trainStep: (batches) => (group ? group.trainStep(batches) : trainer.trainStep(batches)),
    dispose: async () => group?.dispose(),
    verifyLockstep: async () => group?.verifyLockstep(),
  }
}
