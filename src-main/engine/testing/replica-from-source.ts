// Test and benchmark spawner: a replica worker on the TypeScript source (the
// bootstrap registers tsx and the tfjs resolve hook); the app runs the bundle.
import { Worker } from 'node:worker_threads'
import type { SpawnReplica } from '../parallel/replica-group'

const bootstrap = new URL('./ts-worker-bootstrap.mjs', import.meta.url)
const entry = new URL('../parallel/replica-worker.ts', import.meta.url).href

export const spawnReplicaFromSource: SpawnReplica = (init) => new Worker(bootstrap, { workerData: { ...init, entry } })
