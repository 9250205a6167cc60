// worker_threads entry (built to out/main/replica-worker.js): one extra replica
// of a data-parallel run. It holds a copy of the primary's trainer, trains on
// the share of each batch the primary posts, and exchanges gradients through
// the collective; the primary does everything else (sampling, checkpoints).
import { parentPort, workerData } from 'node:worker_threads'
import { initBackend } from '../backend'
import { SaganTrainer } from '../trainer'
import { SharedMemoryCollective } from '../parallel/collective'
import { exchangeDigests } from '../parallel/lockstep'
import type { PrimaryToReplica, ReplicaInit, ReplicaToPrimary } from './replica-messages'

if (!parentPort) throw new Error('replica-worker.ts must run inside a worker_threads Worker')
const port = parentPort
const post = (message: ReplicaToPrimary) => port.postMessage(message)
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err))
const init = workerData as ReplicaInit
const collective = new SharedMemoryCollective(init.buffers, init.rank)

try {
  const backend = await initBackend(init.backend)
  if (backend.name !== init.backend) throw new Error(`replica ${init.rank} got backend ${backend.name}, the primary trains on ${init.backend}`)
  const trainer = await SaganTrainer.restore(init.config, init.data, SaganTrainer.deserializeState(init.state))
  trainer.attachCollective(collective)
  const handle = async (message: PrimaryToReplica): Promise<void> => {
    // Results are the primary's to report; a NaN step is undone here too.
    if (message.type === 'step') await trainer.trainStep(message.batches)
    else exchangeDigests(SaganTrainer.serializeState(await trainer.getState()), collective)
  }
  // One message at a time, in order: a step's reads are asynchronous.
  let queue = Promise.resolve()
  port.on('message', (message: PrimaryToReplica) => {
    queue = queue.then(() =>
      handle(message).catch((err: unknown) => {
        collective.abort(`replica ${init.rank}: ${messageOf(err)}`)
        post({ type: 'error', message: messageOf(err) })
      }),
    )
  })
  post({ type: 'ready' })
} catch (err) {
  collective.abort(`replica ${init.rank} could not start: ${messageOf(err)}`)
  post({ type: 'error', message: messageOf(err) })
}
