// worker_threads entry (built to out/main/inspection-worker.js): serves an
// InspectionSession's calls over the worker's port.
import { parentPort } from 'node:worker_threads'
import { serve } from '../../workers/rpc'
import type { InspectionCalls } from './inspection-contract'
import { InspectionSession } from './inspection-session'

if (!parentPort) throw new Error('inspection-worker.ts must run inside a worker_threads Worker')
serve<InspectionCalls>(parentPort, () => new InspectionSession())
