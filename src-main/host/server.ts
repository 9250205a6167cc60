// The browser host: serves the built renderer and carries the contract over a
// token-protected WebSocket. Binds loopback unless told otherwise.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import sirv from 'sirv'
import { WebSocketServer, type WebSocket } from 'ws'
import type { StudioCalls, StudioEvents } from '../../src-shared/contract'
import type { EventHub } from '../../src-shared/event-hub'
import { decodeMessage, encodeMessage } from '../../src-shared/wire'
import { exposeStudio } from '../studio/expose'
import { newToken, tokenMatches } from './token'

export const RPC_PATH = '/rpc'

export interface HostOptions {
  service: StudioCalls
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
  close(): Promise<void>
}

// The renderer talks only to its own origin; everything else is refused.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

export async function startHost(options: HostOptions): Promise<RunningHost> {
  if (options.token !== undefined && options.token.length < 16) {
    throw new Error('--token must be at least 16 characters; omit it to get a random one')
  }
  const token = options.token ?? newToken()
  const bindHost = options.host ?? '127.0.0.1'
  const serveStatic = sirv(options.rendererDir, { dev: false, etag: true, dotfiles: false })

  const server = createServer((req, res) => {
    res.setHeader('Content-Security-Policy', CSP)
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

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 })
  server.on('upgrade', (req, socket, head) => {
    if (!isAuthorised(req, token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, options))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, bindHost, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const urlHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost
  return {
    url: `http://${urlHost}:${port}/#token=${token}`,
    token,
    port,
    host: bindHost,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

function isAuthorised(req: IncomingMessage, token: string): boolean {
  const url = new URL(req.url ?? '/', 'http://host')
  return url.pathname === RPC_PATH && tokenMatches(token, url.searchParams.get('token'))
}

function serveClient(ws: WebSocket, options: HostOptions): void {
  const disconnect = exposeStudio(options.service, options.events, {
    post: (data) => {
      if (ws.readyState === ws.OPEN) ws.send(data)
    },
    on: (fn) => {
      ws.on('message', (data: Buffer) => {
        const message = decodeOrNull(data)
        // Untrusted peer: anything that is not a decodable object ends the connection.
        if (message === null || typeof message !== 'object') ws.close(1003, 'malformed message')
        else fn(message)
      })
    },
    serialize: encodeMessage,
  })
  ws.on('close', disconnect)
  ws.on('error', disconnect)
}

function decodeOrNull(data: Buffer): unknown {
  try {
    return decodeMessage(data)
  } catch {
    return null
  }
}
