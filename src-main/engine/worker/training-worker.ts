// worker_threads entry (built to out/main/training-worker.js): a thin shell
// that serves a TrainingSession's calls over the worker's port and lets it
// start data-parallel replicas (out/main/replica-worker.js).
import { parentPort } from 'node:worker_threads'
import { spawnBundledWorker } from '../../workers/bundled-worker'
import { serve } from '../../workers/rpc'
import type { TrainingCalls, TrainingEvents } from './training-contract'
import { TrainingSession } from './training-session'

if (!parentPort) throw new Error('training-worker.ts must run inside a worker_threads Worker')
serve<TrainingCalls, TrainingEvents>(
  parentPort,
  (events) => new TrainingSession(events, { spawnReplica: (init) => spawnBundledWorker('replica-worker', { workerData: init }) }),
)
