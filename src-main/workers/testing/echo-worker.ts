// Test-only worker entry: a tiny served interface that exercises workers/rpc.ts.
import { parentPort } from 'node:worker_threads'
import { serve, transferring } from '../rpc'

export interface EchoCalls {
  /** The bytes back, reversed, transferred. */
  reversed(bytes: Uint8Array): Promise<Uint8Array>
  fail(message: string): Promise<void>
  /** Sends `count` ticks, then answers. */
  tick(count: number): Promise<number>
  /** Exits the worker without answering. */
  exit(): Promise<void>
}

export interface EchoEvents {
  ticked(n: number): void
}

if (!parentPort) throw new Error('echo-worker.ts must run inside a worker_threads Worker')
serve<EchoCalls, EchoEvents>(parentPort, (events) => ({
  reversed: async (bytes) => {
    const out = bytes.slice().reverse()
    return transferring(out, [out.buffer])
  },
  fail: async (message) => {
    throw new Error(message)
  },
  tick: async (count) => {
    for (let n = 1; n <= count; n++) events.ticked(n)
    return count
  },
  exit: () => process.exit(3),
}))
