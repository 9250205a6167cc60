// Puts the service on a message pipe: validates every inbound call against
// the contract's schemas, turns errors into wire errors, and forwards events.
import { createBirpc, type ChannelOptions } from 'birpc'
import { z } from 'zod'
import {
  CALL_NAMES,
  EVENT_NAMES,
  callSchemas,
  type CallName,
  type StudioCalls,
  type StudioEvents,
} from '../../src-shared/contract'
import { StudioError, type WireError } from '../../src-shared/errors'
import type { EventHub } from '../../src-shared/event-hub'

type AnyCall = (...args: unknown[]) => Promise<unknown>

/** The service's calls, each refusing arguments that do not match its schema. */
export function validatedCalls(service: StudioCalls): StudioCalls {
  const calls = Object.create(null) as Record<CallName, AnyCall>
  for (const name of CALL_NAMES) {
    const method = service[name] as AnyCall
    calls[name] = async (...args: unknown[]) => {
      try {
        const parsed = callSchemas[name].safeParse(args)
        if (!parsed.success) {
          throw new StudioError('invalid-argument', `${name}: ${z.prettifyError(parsed.error)}`, name)
        }
        return await method.apply(service, parsed.data as unknown[])
      } catch (err) {
        throw toWireError(name, err)
      }
    }
  }
  return calls as unknown as StudioCalls
}

// Thrown values lose their class on the wire: send a plain, readable object.
function toWireError(call: string, err: unknown): WireError {
  if (err instanceof StudioError) return err.toWire()
  console.error(`[studio] ${call} failed:`, err)
  return { code: 'internal', message: `${call} failed: ${err instanceof Error ? err.message : String(err)}` }
}

/** Serves one connected UI on `channel`; returns a function that disconnects it. */
export function exposeStudio(
  service: StudioCalls,
  events: EventHub<StudioEvents>,
  channel: ChannelOptions,
): () => void {
  const rpc = createBirpc<StudioEvents, StudioCalls>(validatedCalls(service), {
    ...channel,
    eventNames: [...EVENT_NAMES],
    bind: 'functions',
    // A UI that went away mid-call is not an error worth a crash.
    onGeneralError: (err) => {
      console.warn('[studio] message dropped:', err.message)
      return true
    },
  })
  const unsubscribe = events.subscribe((name, args) => {
    void (rpc[name].asEvent as (...a: unknown[]) => Promise<void>)(...args).catch(() => undefined)
  })
  return () => {
    unsubscribe()
    rpc.$close()
  }
}
