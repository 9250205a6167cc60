// Bounded concurrency for I/O- and libuv-bound work (stat calls, sharp
// decodes): enough jobs in flight to keep the thread pool busy, not so many
// that tens of thousands of buffers sit in memory at once.

import { availableParallelism } from 'node:os'

/** sharp decodes on libuv threads; two jobs per core keeps them fed. */
export const DECODE_CONCURRENCY = Math.max(2, availableParallelism() * 2)

/** Runs `task` over `items` with at most `limit` in flight; results keep input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const results = new Array<R>(items.length)
  let nextIndex = 0
  const worker = async (): Promise<void> => {
    while (nextIndex < items.length) {
      signal?.throwIfAborted()
      const i = nextIndex++
      results[i] = await task(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
