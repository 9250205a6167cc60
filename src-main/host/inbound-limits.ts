// What one browser client may send and leave unread. Every bound is sized to
// the largest legitimate use with a margin (inbound-limits.test.ts measures
// it), so an honest UI never meets them and a hostile one cannot grow the host.
import { Decoder } from '@msgpack/msgpack'

/**
 * Largest inbound WebSocket frame. The largest legitimate call is setRunNotes
 * with 20,000 four-byte characters (about 80 KB encoded); every other call is
 * under 8 KB. Replies (PNG sheets) go the other way and are not bounded by it.
 */
export const MAX_FRAME_BYTES = 1024 * 1024

/** Calls one client may have in flight; more are refused until answers come back. */
export const MAX_PENDING_CALLS = 64

/** Reply bytes queued for a client that does not read them; beyond this it is disconnected. */
export const MAX_UNSENT_BYTES = 64 * 1024 * 1024

/** Close code and reason for a client that stopped reading (1008: policy violation). */
export const SLOW_CONSUMER_CLOSE = { code: 1008, reason: 'too many unread replies' } as const

/** Nesting and node count of one decoded message (the largest legitimate one has depth 6 and a few hundred nodes). */
const MAX_DEPTH = 16
const MAX_NODES = 20_000

// Strings: notes are at most 20,000 characters (80 KB); arrays: a sheet's class list is at most 1000.
const decoder = new Decoder({
  maxStrLength: 256 * 1024,
  maxBinLength: 64 * 1024,
  maxArrayLength: 4096,
  maxMapLength: 256,
  maxExtLength: 64,
})

/** Decodes one inbound frame within the limits above; throws on anything else. */
export function decodeInbound(data: Uint8Array): unknown {
  if (data.byteLength > MAX_FRAME_BYTES) throw new RangeError(`frame of ${data.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`)
  const message = decoder.decode(data)
  checkShape(message)
  return message
}

/** Iterative (a deep value must not exhaust the stack here either): depth and node count. */
function checkShape(root: unknown): void {
  const stack: [unknown, number][] = [[root, 1]]
  let nodes = 0
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!
    if (++nodes > MAX_NODES) throw new RangeError(`message has more than ${MAX_NODES} values`)
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) continue
    if (depth > MAX_DEPTH) throw new RangeError(`message is nested deeper than ${MAX_DEPTH}`)
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1])
  }
}
