// Serialisation for byte-stream transports (the browser host's WebSocket).
// MessagePack keeps PNG bytes as bytes; Electron IPC uses structured clone
// and needs none of this.
import { decode, encode } from '@msgpack/msgpack'

export function encodeMessage(message: unknown): Uint8Array {
  return encode(message, { ignoreUndefined: true })
}

export function decodeMessage(data: ArrayBuffer | Uint8Array): unknown {
  return decode(data instanceof Uint8Array ? data : new Uint8Array(data))
}
