// The UI side of the contract over any message pipe. Used by the renderer
// (Electron pipe or WebSocket) and by tests.
import { createBirpc, type ChannelOptions } from 'birpc'
import { CALL_NAMES, EVENT_NAMES, type StudioCalls, type StudioEvents } from './contract'
import { StudioError } from './errors'

export type StudioClient = StudioCalls & { close(): void }

export function connectStudio(channel: ChannelOptions, events: Partial<StudioEvents>, options: { timeoutMs?: number } = {}): StudioClient {
  // Missing handlers are fine: an event nobody listens to is dropped.
  const handlers = Object.fromEntries(
    EVENT_NAMES.map((name) => [name, (...args: unknown[]) => (events[name] as ((...a: unknown[]) => void) | undefined)?.(...args)]),
  ) as unknown as StudioEvents
  const rpc = createBirpc<StudioCalls, StudioEvents>(handlers, {
    ...channel,
    timeout: options.timeoutMs ?? 120_000,
  })
  const client = { close: () => rpc.$close() } as StudioClient
  for (const name of CALL_NAMES) {
    const call = rpc[name] as (...args: unknown[]) => Promise<unknown>
    ;(client as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      // MessagePack turns a trailing `undefined` into null, which the schemas
      // (rightly) refuse: optional arguments left out are simply not sent.
      while (args.length > 0 && args[args.length - 1] === undefined) args.pop()
      try {
        return await call(...args)
      } catch (err) {
        throw StudioError.fromWire(err)
      }
    }
  }
  return client
}
