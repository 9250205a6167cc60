// worker_threads entry (built to out/main/replica-worker.js): one extra replica
// of a data-parallel run. It holds a copy of the primary's trainer, trains on
// the share of each batch the primary sends, and exchanges gradients through
// the collective; the primary does everything else (sampling, checkpoints).
import { parentPort, workerData } from 'node:worker_threads'
import { serve } from '../../workers/rpc'
import { initBackend } from '../backend'
import { SharedMemoryCollective } from '../parallel/collective'
import { exchangeDigests } from '../parallel/lockstep'
import { SaganTrainer } from '../trainer'
import type { ReplicaCalls, ReplicaInit } from './replica-contract'

if (!parentPort) throw new Error('replica-worker.ts must run inside a worker_threads Worker')
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err))
const init = workerData as ReplicaInit
const collective = new SharedMemoryCollective(init.buffers, init.rank)

async function restore(): Promise<SaganTrainer> {
  const backend = await initBackend(init.backend)
  if (backend.name !== init.backend) throw new Error(`replica ${init.rank} got backend ${backend.name}, the primary trains on ${init.backend}`)
  const trainer = await SaganTrainer.restore(init.config, init.data, SaganTrainer.deserializeState(init.state))
  trainer.attachCollective(collective)
  return trainer
}

const trainer = restore().catch((err: unknown) => {
  collective.abort(`replica ${init.rank} could not start: ${messageOf(err)}`)
  throw err
})
trainer.catch(() => undefined) // answered through started()

// One call at a time, in order: a step's reads are asynchronous.
let queue: Promise<unknown> = Promise.resolve()
function inTurn(work: (trainer: SaganTrainer) => Promise<unknown>): Promise<void> {
  const run = queue.then(async () => {
    try {
      await work(await trainer)
    } catch (err) {
      // The primary and the other replicas would wait forever for this one's next exchange.
      collective.abort(`replica ${init.rank}: ${messageOf(err)}`)
      throw err
    }
  })
  queue = run.catch(() => undefined)
  return run
}

serve<ReplicaCalls>(parentPort, () => ({
  started: async () => void (await trainer),
  // Results are the primary's to report; a NaN step is undone here too.
  step: (batches) => inTurn((t) => t.trainStep(batches)),
  verify: () => inTurn(async (t) => exchangeDigests(SaganTrainer.serializeState(await t.getState()), collective)),
}))
