// Every worker speaks to its parent through typed calls and events: birpc
// over the worker's port. A call returns a promise of its answer (or of the
// worker's error); birpc correlates them, so no message carries an id of ours.
// Events are one-way. What neither side declares cannot be sent.
import type { Worker } from 'node:worker_threads'
import { type BirpcReturn, createBirpc } from 'birpc'

export type Rpc<Remote extends object, Local extends object = Record<string, never>> = BirpcReturn<Remote, Local>

/** What both a Worker (the parent's end) and parentPort (the worker's) offer. */
interface Port {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[]): void
  on(event: 'message', listener: (value: unknown) => void): unknown
  off(event: 'message', listener: (value: unknown) => void): unknown
}

/** Buffers to move, not copy, with a call's argument or answer (transferring). */
const transfers = new WeakMap<object, ArrayBuffer[]>()

/**
 * Marks `value`, an argument or an answer, to travel with these buffers transferred
 * (they are unusable here afterwards). Shared buffers are never transferred.
 */
export function transferring<T extends object>(value: T, buffers: ArrayBufferLike[]): T {
  transfers.set(
    value,
    buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer),
  )
  return value
}

/** birpc's wire shapes (request: method and args; answer: result or error). */
type Wire = { t: 'q'; a: unknown[] } | { t: 's'; r?: unknown; e?: unknown }

function transferList(message: Wire): ArrayBuffer[] {
  const values = message.t === 'q' ? message.a : [message.r]
  return values.flatMap((v) => (typeof v === 'object' && v !== null ? (transfers.get(v) ?? []) : []))
}

/**
 * Errors cross as their message: an Error with unclonable fields would fail the
 * answer itself, and the parent rebuilds a plain Error with the same text.
 */
function serialize(message: Wire): Wire {
  if (message.t !== 's' || message.e === undefined) return message
  return { ...message, e: { message: message.e instanceof Error ? message.e.message : String(message.e) } }
}

function deserialize(message: Wire): Wire {
  if (message.t !== 's' || message.e === undefined) return message
  return { ...message, e: new Error((message.e as { message: string }).message) }
}

function channel(port: Port) {
  return {
    post: (message: Wire) => port.postMessage(message, transferList(message)),
    on: (listener: (message: Wire) => void) => void port.on('message', listener as (value: unknown) => void),
    off: (listener: (message: Wire) => void) => void port.off('message', listener as (value: unknown) => void),
    serialize,
    deserialize,
    // Steps, evaluations and exports take minutes; a worker that dies fails its calls through connectWorker instead.
    timeout: -1,
  }
}

/**
 * The worker's end (port: parentPort): `make` builds what answers the parent's
 * calls (a session, methods and all) from the parent's events.
 */
export function serve<Calls extends object, Events extends object = Record<string, never>>(port: Port, make: (events: Events) => Calls): Calls {
  // Events reach birpc when they are sent, by then it exists (`make` only builds, it sends nothing).
  const calls = make(notifier(() => rpc))
  const rpc = createBirpc<Events, Calls>(calls, { ...channel(port), bind: 'functions' })
  return calls
}

/**
 * The parent's end of a worker (`local` answers its events): once the worker fails or exits,
 * every call still waiting, and every later one, fails with that reason.
 */
export function connectWorker<Remote extends object, Local extends object = Record<string, never>>(
  worker: Worker,
  name: string,
  local = {} as Local,
): Rpc<Remote, Local> {
  const rpc = createBirpc<Remote, Local>(local, { ...channel(worker), bind: 'functions' })
  let lost: Error | null = null
  const lose = (err: Error) => {
    lost ??= err
    rpc.$close(lost)
  }
  worker.on('error', (err) => lose(new Error(`the ${name} failed: ${err.message}`)))
  worker.on('exit', (code) => lose(new Error(`the ${name} exited (code ${code})`)))
  // A closed birpc says only "rpc is closed": calls after the loss get its reason.
  return new Proxy(rpc, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver)
      if (!lost || typeof key !== 'string' || key.startsWith('$') || typeof value !== 'function') return value
      const reason = lost
      return () => Promise.reject(reason)
    },
  })
}

/** The other side's functions as one-way notifications (events): nothing waits for an answer. */
function notifier<Events extends object>(rpc: () => { $callRaw(call: { method: string; args: unknown[]; event: true }): Promise<unknown> }): Events {
  return new Proxy({} as Events, {
    get:
      (_, name) =>
      (...args: unknown[]) =>
        // An event to a parent that is gone has no one to tell.
        void rpc()
          .$callRaw({ method: String(name), args, event: true })
          .catch(() => undefined),
  })
}
