// Who may talk to the browser host. The token guards the WebSocket; these
// checks keep other web pages out even before it: a page that rebinds its own
// DNS name to 127.0.0.1 (DNS rebinding) sends its own name in Host, and any
// other site sends its own Origin. Only loopback names, the address the host
// was told to bind, and (when bound to every interface) this machine's own
// addresses are accepted.
import type { IncomingMessage } from 'node:http'
import { networkInterfaces } from 'node:os'

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1']
const WILDCARD_ADDRESSES = ['0.0.0.0', '::']

/** Host names (no brackets, lower case) a request may name in Host or Origin. */
export function allowedHostnames(bindHost: string): Set<string> {
  const names = new Set([...LOOPBACK_NAMES, bindHost.toLowerCase()])
  if (WILDCARD_ADDRESSES.includes(bindHost)) {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase())
  }
  return names
}

/** `req.url` as a URL, or null when it is not one (e.g. "http://[/rpc"): never throws. */
export function requestTarget(req: IncomingMessage): URL | null {
  const raw = req.url ?? ''
  // Origin-form targets only ("/rpc?token=..."); absolute forms are proxy requests.
  if (!raw.startsWith('/') || raw.startsWith('//')) return null
  try {
    return new URL(raw, 'http://host.invalid')
  } catch {
    return null
  }
}

/** "host:port" split into a lower-case host name without brackets, or null when malformed. */
function hostnameOf(authority: string): string | null {
  try {
    const url = new URL(`http://${authority}`)
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return null
    return url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  } catch {
    return null
  }
}

/** Whether the Host header names this host (DNS-rebinding defence). */
export function hostHeaderAllowed(req: IncomingMessage, allowed: Set<string>): boolean {
  const host = req.headers.host
  if (typeof host !== 'string' || host.length === 0 || host.length > 300) return false
  const name = hostnameOf(host)
  return name !== null && allowed.has(name)
}

/**
 * Whether the Origin header, when a browser sent one, is this host's own page.
 * Non-browser clients send none; they cannot be a web page riding a user's browser.
 */
export function originAllowed(req: IncomingMessage, allowed: Set<string>, port: number): boolean {
  const origin = req.headers.origin
  if (origin === undefined) return true
  if (typeof origin !== 'string' || origin.length > 300) return false
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  const name = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const originPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  return allowed.has(name) && originPort === port
}

/**
 * The page may connect only to its own WebSocket: the Host it was loaded from
 * (already checked against the allowed names) and the RPC path.
 */
export function contentSecurityPolicy(host: string | undefined, rpcPath: string): string {
  const socket = host ? ` ws://${host}${rpcPath}` : ''
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${socket}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}
