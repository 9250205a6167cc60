// Test-only worker entry: lets a worker_threads Worker run a TypeScript entry
// (workerData.entry, a file URL) by registering tsx and the tfjs resolve hook first.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'
import '../../../scripts/tfjs-resolve-hook.mjs'

register()
await import(workerData.entry)
