// Puts the studio's door on a message pipe: screens every inbound message,
// turns errors into wire errors, and forwards events. The door (door.ts) has
// already checked each call's arguments against the contract.
import { createBirpc, type ChannelOptions } from 'birpc'
import { z } from 'zod'
import { CALL_NAMES, EVENT_NAMES, type CallName, type StudioCalls, type StudioEvents } from '../../src-shared/contract'
import { StudioError, type WireError } from '../../src-shared/errors'
import type { EventHub } from '../../src-shared/event-hub'
import type { StudioDoor } from './door'

type AnyCall = (...args: unknown[]) => Promise<unknown>

// Thrown values lose their class on the wire: send a plain, readable object.
function toWireError(call: string, err: unknown): WireError {
  if (err instanceof StudioError) return err.toWire()
  console.error(`[studio] ${call} failed:`, err)
  return { code: 'internal', message: `${call} failed: ${err instanceof Error ? err.message : String(err)}` }
}

// birpc's two message kinds: a call from the UI, and an answer (the UI answers nothing we ask, but may send one).
const CallEnvelope = z
  .object({ t: z.literal('q'), i: z.string().max(64).optional(), m: z.string().max(64), a: z.array(z.unknown()).max(16), o: z.boolean().optional() })
  .strict()
const AnswerEnvelope = z.object({ t: z.literal('s'), i: z.string().max(64), r: z.unknown().optional(), e: z.unknown().optional() }).strict()
const Envelope = z.discriminatedUnion('t', [CallEnvelope, AnswerEnvelope])

export interface ExposeOptions {
  /** Calls one UI may have in flight; beyond it a call is refused at once with 'unavailable'. */
  maxPendingCalls?: number
  /** A message that is not a call at all (the WebSocket host disconnects such a peer). */
  onMalformed?: (why: string) => void
}

/** Serves one connected UI on `channel` (the page's calls only, never LocalCalls); returns a function that disconnects it. */
export function exposeStudio(door: StudioDoor, events: EventHub<StudioEvents>, channel: ChannelOptions, options: ExposeOptions = {}): () => void {
  const maxPending = options.maxPendingCalls ?? Number.POSITIVE_INFINITY
  const serialize = channel.serialize ?? ((data: unknown) => data)
  const calls = door as unknown as Record<CallName, AnyCall>
  // Counted from acceptance (below, synchronously) to the answer: frames that arrive together count together.
  let pending = 0
  const counted = Object.create(null) as Record<CallName, AnyCall>
  for (const name of CALL_NAMES) {
    counted[name] = async (...args: unknown[]) => {
      try {
        return await calls[name](...args)
      } catch (err) {
        throw toWireError(name, err)
      } finally {
        pending--
      }
    }
  }
  // Refusals birpc would send as `e: {}` (unknown call) or not at all: answered here with a code and a message.
  const refuse = (id: string | undefined, error: WireError) => {
    if (id !== undefined) void Promise.resolve(channel.post(serialize({ t: 's', i: id, e: error }))).catch(() => undefined)
  }
  const screened: ChannelOptions = {
    ...channel,
    on: (fn) =>
      channel.on((data: unknown, ...extra: unknown[]) => {
        const message = channel.deserialize ? channel.deserialize(data) : data
        const envelope = Envelope.safeParse(message)
        if (!envelope.success) {
          const id = (message as { i?: unknown } | null)?.i
          if (typeof id === 'string' && id.length <= 64) refuse(id, { code: 'invalid-argument', message: `Malformed call: ${z.prettifyError(envelope.error)}` })
          else options.onMalformed?.('not a call')
          return
        }
        const call = envelope.data
        if (call.t === 'q' && !Object.hasOwn(counted, call.m)) {
          return refuse(call.i, {
            code: 'not-found',
            message: `Unknown call "${call.m.slice(0, 64)}". This studio answers: ${CALL_NAMES.join(', ')}.`,
            subject: call.m,
          })
        }
        if (call.t === 'q' && pending >= maxPending) {
          return refuse(call.i, {
            code: 'unavailable',
            message: `${call.m}: ${maxPending} calls are already in flight from this page; wait for their answers, then retry.`,
            subject: call.m,
          })
        }
        if (call.t === 'q') pending++
        fn(call, ...extra)
      }),
    deserialize: undefined,
  }
  const rpc = createBirpc<StudioEvents, StudioCalls>(counted as unknown as StudioCalls, {
    ...screened,
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
