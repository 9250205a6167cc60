// Two connected ends of an in-memory message pipe, for contract tests.
// Messages are structured-cloned like Electron IPC does.
import type { ChannelOptions } from 'birpc'

export function memoryPipe(): [ChannelOptions, ChannelOptions] {
  const listeners: [((d: unknown) => void)[], ((d: unknown) => void)[]] = [[], []]
  const end = (self: 0 | 1): ChannelOptions => ({
    post: (data) => {
      const copy = structuredClone(data)
      queueMicrotask(() => listeners[1 - self].forEach((fn) => fn(copy)))
    },
    on: (fn) => {
      listeners[self].push(fn)
    },
  })
  return [end(0), end(1)]
}
