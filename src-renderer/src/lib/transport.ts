// Picks the pipe to the main process: the Electron preload's, when present,
// otherwise the browser host's WebSocket (token from the URL fragment).
import type { ChannelOptions } from 'birpc'
import { PIPE_GLOBAL, type StudioPipe } from '../../../src-shared/pipe'
import { decodeMessage, encodeMessage } from '../../../src-shared/wire'

export type TransportKind = 'electron' | 'websocket'

export interface Transport {
  kind: TransportKind
  /** Opens a channel; resolves when it can carry messages. `onClose` fires once when it drops. */
  open(onClose: () => void): Promise<ChannelOptions & { close(): void }>
}

export function electronPipe(): StudioPipe | undefined {
  return (globalThis as unknown as Record<string, StudioPipe | undefined>)[PIPE_GLOBAL]
}

export function tokenFromLocation(loc: Location): string | null {
  const fromHash = new URLSearchParams(loc.hash.replace(/^#\/?/, '').split('?')[0]).get('token')
  return fromHash ?? new URLSearchParams(loc.search).get('token')
}

export function pickTransport(loc: Location = location): Transport {
  const pipe = electronPipe()
  if (pipe) {
    return {
      kind: 'electron',
      open: async () => ({ post: (m) => pipe.post(m), on: (fn) => pipe.on(fn), close: () => undefined }),
    }
  }
  const token = tokenFromLocation(loc) ?? sessionStorage.getItem('studio-token')
  if (token) sessionStorage.setItem('studio-token', token)
  const url = `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/rpc?token=${encodeURIComponent(token ?? '')}`
  return {
    kind: 'websocket',
    open: (onClose) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url)
        ws.binaryType = 'arraybuffer'
        let opened = false
        ws.onopen = () => {
          opened = true
          resolve({
            post: (m) => ws.send(m as Uint8Array<ArrayBuffer>),
            on: (fn) => {
              ws.onmessage = (e: MessageEvent<ArrayBuffer>) => fn(e.data)
            },
            serialize: encodeMessage,
            deserialize: (d: ArrayBuffer) => decodeMessage(d),
            close: () => ws.close(),
          })
        }
        ws.onclose = () => (opened ? onClose() : reject(new Error('the studio host did not accept the connection')))
      }),
  }
}
