// Raw clients for the host's tests: an HTTP request written byte for byte
// (no client-side URL or header checks), and a WebSocket with chosen headers.
import { connect } from 'node:net'
import { WebSocket } from 'ws'
import { RPC_PATH } from '../host/server'

/** Sends `request` as is and resolves with the first response line ('' when the host only closed). */
export function rawRequest(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let out = ''
    const done = () => resolve(out.split('\r\n')[0] ?? '')
    socket.setTimeout(5000, () => socket.destroy())
    socket.on('data', (c) => {
      out += c.toString('latin1')
      if (out.includes('\r\n')) socket.destroy()
    })
    socket.on('error', () => undefined)
    socket.on('close', done)
    socket.write(request)
  })
}

/** An upgrade request for `target` with the WebSocket headers and any extra ones. */
export function upgradeRequest(target: string, headers: Record<string, string> = {}): string {
  const all = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  }
  return `GET ${target} HTTP/1.1\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`
}

/** Opens the RPC socket with `query` and optional headers (Origin, Host). */
export function openSocket(port: number, query: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${RPC_PATH}${query}`, { headers })
    ws.binaryType = 'arraybuffer'
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}
