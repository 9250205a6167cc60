import { Worker } from 'node:worker_threads'
import { afterEach, expect, test } from 'vitest'
import { connectWorker, transferring } from './rpc'
import type { EchoCalls, EchoEvents } from './testing/echo-worker'

// A real worker thread on the TypeScript source (the bootstrap registers tsx).
const bootstrap = new URL('../engine/testing/ts-worker-bootstrap.mjs', import.meta.url)
const entry = new URL('./testing/echo-worker.ts', import.meta.url).href
const workers: Worker[] = []
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()))
})

function echo(events: EchoEvents = { ticked: () => undefined }) {
  const worker = new Worker(bootstrap, { workerData: { entry } })
  workers.push(worker)
  return connectWorker<EchoCalls, EchoEvents>(worker, 'echo worker', events)
}

test('a call answers; buffers marked transferring move instead of being copied', async () => {
  const rpc = echo()
  const bytes = Uint8Array.of(1, 2, 3)
  const answer = await rpc.reversed(transferring(bytes, [bytes.buffer]))
  expect([...answer]).toEqual([3, 2, 1])
  expect(bytes.byteLength).toBe(0) // detached here: it was moved to the worker
})

test("the worker's error reaches the caller with its message", async () => {
  await expect(echo().fail('disk full')).rejects.toThrow('disk full')
})

test('events arrive in order, before the answer of the call that sent them', async () => {
  const seen: number[] = []
  const rpc = echo({ ticked: (n) => void seen.push(n) })
  expect(await rpc.tick(3)).toBe(3)
  expect(seen).toEqual([1, 2, 3])
})

test('a worker that exits fails the call in flight and every later one with the reason', async () => {
  const rpc = echo()
  await expect(rpc.exit()).rejects.toThrow('the echo worker exited (code 3)')
  await expect(rpc.tick(1)).rejects.toThrow('the echo worker exited (code 3)')
})
