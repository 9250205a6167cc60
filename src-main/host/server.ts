// The browser host: serves the built renderer and carries the contract over a
// token-protected WebSocket. Binds loopback unless told otherwise.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import sirv from 'sirv'
import { WebSocketServer, type WebSocket } from 'ws'
import type { StudioEvents } from '../../src-shared/contract'
import type { EventHub } from '../../src-shared/event-hub'
import { encodeMessage } from '../../src-shared/wire'
import type { StudioDoor } from '../studio/door'
import { exposeStudio } from '../studio/expose'
import { newToken, tokenBits, tokenMatches } from './token'
import { MAX_FRAME_BYTES, MAX_PENDING_CALLS, MAX_UNSENT_BYTES, SLOW_CONSUMER_CLOSE, decodeInbound } from './inbound-limits'
import { allowedHostnames, contentSecurityPolicy, hostHeaderAllowed, originAllowed, requestTarget } from './request-guard'

export const RPC_PATH = '/rpc'

export interface HostOptions {
  calls: StudioDoor
  events: EventHub<StudioEvents>
  /** Folder of the built renderer (out/renderer). Nothing outside it is served. */
  rendererDir: string
  port?: number
  host?: string
  token?: string
}

export interface RunningHost {
  url: string
  token: string
  port: number
  host: string
  server: Server
  /** Connected WebSocket clients. */
  clientCount(): number
  close(): Promise<void>
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  if (options.token !== undefined) checkTokenStrength(options.token)
  const token = options.token ?? newToken()
  const bindHost = options.host ?? '127.0.0.1'
  const allowed = allowedHostnames(bindHost)
  const serveStatic = sirv(options.rendererDir, { dev: false, etag: true, dotfiles: false })
  let port = 0

  const server = createServer((req, res) => {
    // DNS rebinding: a page whose own name now resolves to 127.0.0.1 sends that name as Host.
    if (!hostHeaderAllowed(req, allowed)) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('misdirected request: this host answers only to its own address')
      return
    }
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(req.headers.host, RPC_PATH))
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end('method not allowed')
      return
    }
    serveStatic(req, res, () => {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
    })
  })
  // A malformed request line or header is answered and dropped, never thrown.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  server.on('upgrade', (req, socket: Duplex, head) => {
    socket.on('error', () => socket.destroy())
    try {
      const refusal = upgradeRefusal(req, token, allowed, port)
      if (refusal) {
        socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`)
        return
      }
      wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, options))
    } catch (err) {
      // Whatever a request holds, the host (and the training in it) stays up.
      console.warn('[host] upgrade refused:', (err as Error).message)
      socket.destroy()
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, bindHost, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const urlHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost
  return {
    url: `http://${urlHost}:${port}/#token=${token}`,
    token,
    port,
    host: bindHost,
    server,
    clientCount: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** Why an upgrade is refused, as an HTTP status line, or null when it may proceed. */
function upgradeRefusal(req: IncomingMessage, token: string, allowed: Set<string>, port: number): string | null {
  const target = requestTarget(req)
  if (!target || target.pathname !== RPC_PATH) return '404 Not Found'
  if (!hostHeaderAllowed(req, allowed)) return '421 Misdirected Request'
  if (!originAllowed(req, allowed, port)) return '403 Forbidden'
  if (!tokenMatches(token, target.searchParams.get('token'))) return '401 Unauthorized'
  return null
}

function serveClient(ws: WebSocket, options: HostOptions): void {
  let closing = false
  // Closes with a reason; a peer that does not read even the close frame is cut off.
  const closeWith = (code: number, reason: string) => {
    if (closing) return
    closing = true
    console.warn(`[host] disconnected a client: ${reason}`)
    ws.close(code, reason)
    setTimeout(() => ws.terminate(), 1000).unref()
  }
  const disconnect = exposeStudio(
    options.calls,
    options.events,
    {
      post: (data: Uint8Array) => {
        if (ws.readyState !== ws.OPEN || closing) return
        // A client that stops reading would otherwise keep every reply in this process.
        if (ws.bufferedAmount + data.byteLength > MAX_UNSENT_BYTES) return closeWith(SLOW_CONSUMER_CLOSE.code, SLOW_CONSUMER_CLOSE.reason)
        ws.send(data)
      },
      on: (fn) => {
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          const message = isBinary ? decodeOrNull(data) : null
          // Untrusted peer: anything that is not a decodable object ends the connection.
          if (message === null || typeof message !== 'object') closeWith(1003, 'malformed message')
          else fn(message)
        })
      },
      serialize: encodeMessage,
    },
    { maxPendingCalls: MAX_PENDING_CALLS, onMalformed: (why) => closeWith(1003, why) },
  )
  ws.on('close', disconnect)
  ws.on('error', disconnect)
}

function decodeOrNull(data: Buffer): unknown {
  try {
    return decodeInbound(data)
  } catch {
    return null
  }
}

/** Tokens are secrets: fewer than 128 bits (estimated from their length and alphabet) are refused. */
function checkTokenStrength(token: string): void {
  const bits = tokenBits(token)
  if (bits < 128) {
    throw new Error(
      `--token (or SAGAN_STUDIO_TOKEN) is too weak: about ${Math.floor(bits)} bits, at least 128 are needed (e.g. 32 random hex characters); omit it to get a random one`,
    )
  }
}
