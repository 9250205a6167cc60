import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import type { StudioCalls } from '../../src-shared/contract'
import type { WireError } from '../../src-shared/errors'
import { connectStudio } from '../../src-shared/rpc-client'
import type { RunSummary } from '../../src-shared/runs'
import { decodeMessage, encodeMessage } from '../../src-shared/wire'
import { sampleRun, tempStudio, type TempStudio } from '../testing/studio-fixture'
import { openSocket as openRawSocket, rawRequest, upgradeRequest } from '../testing/host-client'
import { MAX_FRAME_BYTES, MAX_PENDING_CALLS, SLOW_CONSUMER_CLOSE } from './inbound-limits'
import { RPC_PATH, startHost, type RunningHost } from './server'

let studio: TempStudio
let host: RunningHost
let root: string

beforeEach(async () => {
  studio = tempStudio()
  root = mkdtempSync(join(tmpdir(), 'sagan-host-'))
  mkdirSync(join(root, 'renderer'))
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>studio</title>')
  writeFileSync(join(root, 'secret.txt'), 'outside the renderer')
  host = await startHost({ calls: studio.calls, events: studio.events, rendererDir: join(root, 'renderer') })
})
afterEach(async () => {
  await host.close()
  await studio.dispose()
  rmSync(root, { recursive: true, force: true })
})

/** A raw GET whose path is sent exactly as written (no URL normalisation). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method: 'GET' }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

const openSocket = (query: string, headers: Record<string, string> = {}) => openRawSocket(host.port, query, headers)

/** Sends one birpc call as raw MessagePack and resolves with the host's answer. */
function rawCall(ws: WebSocket, message: object): Promise<{ i: string; r?: unknown; e?: WireError }> {
  return new Promise((resolve) => {
    const onMessage = (data: ArrayBuffer) => {
      const answer = decodeMessage(data) as { t: string; i: string }
      if (answer.t === 's' && answer.i === (message as { i?: string }).i) {
        ws.off('message', onMessage)
        resolve(answer)
      }
    }
    ws.on('message', onMessage)
    ws.send(encodeMessage(message))
  })
}

const closeOf = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))

describe('browser host', () => {
  it('binds to loopback by default and prints a URL with its token', () => {
    expect(host.host).toBe('127.0.0.1')
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`)
    expect(host.token.length).toBeGreaterThanOrEqual(32)
  })

  it('serves the built renderer with a strict CSP', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<title>studio</title>')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
  })

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '//etc/passwd', '/..\\secret.txt'])(
    'never serves a file outside the renderer (%s)',
    async (path) => {
      const res = await rawGet(path)
      expect(res.body).not.toContain('outside the renderer')
      expect(res.body).not.toContain('root:')
    },
  )

  it.each([
    ['no token', ''],
    ['a wrong token', '?token=wrong'],
    ['a token of the right length but wrong', `?token=${'x'.repeat(32)}`],
  ])('refuses a WebSocket with %s', async (_what, query) => {
    await expect(openSocket(query)).rejects.toThrow(/401/)
  })

  it('carries the contract and pushes events over the real WebSocket', async () => {
    const ws = await openSocket(`?token=${host.token}`)
    const updates: RunSummary[] = []
    const client = connectStudio(
      {
        post: (d) => ws.send(d),
        on: (fn) => ws.on('message', (d: ArrayBuffer) => fn(d)),
        serialize: encodeMessage,
        deserialize: (d: ArrayBuffer) => decodeMessage(d),
      },
      { runUpdated: (r) => updates.push(r) },
    )
    const run = studio.runs.create(sampleRun)
    expect((await client.listRuns()).map((r) => r.id)).toEqual([run.id])
    await client.renameRun(run.id, 'over the wire')
    await expect(client.getRun('zzzzzz999999')).rejects.toMatchObject({ code: 'not-found' })
    await new Promise((r) => setTimeout(r, 20))
    expect(updates.map((u) => u.name)).toEqual(['over the wire'])
    ws.close()
  })

  it('binds elsewhere with --host and still demands the token', async () => {
    const wide = await startHost({ calls: studio.calls, events: studio.events, rendererDir: join(root, 'renderer'), host: '0.0.0.0' })
    try {
      expect(wide.url).toContain('0.0.0.0')
      const refused = new WebSocket(`ws://127.0.0.1:${wide.port}${RPC_PATH}`)
      await expect(
        new Promise((resolve, reject) => {
          refused.once('open', resolve)
          refused.once('error', reject)
        }),
      ).rejects.toThrow(/401/)
    } finally {
      await wide.close()
    }
  })

  it.each(['short', 'a'.repeat(64), '0123456789abcdef0123456789abcde'])('refuses a --token of under 128 bits (%s)', async (token) => {
    await expect(startHost({ calls: studio.calls, events: studio.events, rendererDir: root, token })).rejects.toThrow(/at least 128/)
  })

  it('accepts a --token of 128 bits', async () => {
    const given = await startHost({ calls: studio.calls, events: studio.events, rendererDir: root, token: '0123456789abcdef0123456789abcdef' })
    expect(given.token).toBe('0123456789abcdef0123456789abcdef')
    await given.close()
  })

  it('drops a connection that sends bytes that are not a message', async () => {
    const ws = await openSocket(`?token=${host.token}`)
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send(Buffer.from([0xc1, 0xff, 0x00]))
    expect(await closed).toBe(1003)
  })

  it('survives an upgrade whose target is not a URL (it used to crash the host)', async () => {
    expect(await rawRequest(host.port, upgradeRequest('http://[/rpc'))).toMatch(/^HTTP\/1.1 404/)
    expect(await rawRequest(host.port, upgradeRequest(`http://[/rpc?token=${host.token}`))).toMatch(/^HTTP\/1.1 404/)
    expect((await fetch(`http://127.0.0.1:${host.port}/`)).status).toBe(200)
  })

  it.each([
    ['another name (DNS rebinding)', 'Host: rebind.example:1234'],
    ['no Host at all', ''],
    ['a Host with credentials', 'Host: user@127.0.0.1'],
  ])('refuses a page request with %s', async (_what, header) => {
    const line = await rawRequest(host.port, `GET / HTTP/1.0\r\n${header ? `${header}\r\n` : ''}\r\n`)
    expect(line).toMatch(/^HTTP\/1.1 (421|400)/)
  })

  it('refuses an upgrade with the right token but a foreign Host or Origin', async () => {
    const query = `?token=${host.token}`
    expect(await rawRequest(host.port, upgradeRequest(`${RPC_PATH}${query}`, { Host: `rebind.example:${host.port}` }))).toMatch(/^HTTP\/1.1 421/)
    await expect(openSocket(query, { Origin: 'http://rebind.example' })).rejects.toThrow(/403/)
    await expect(openSocket(query, { Origin: `http://127.0.0.1:${host.port + 1}` })).rejects.toThrow(/403/)
    await expect(openSocket(query, { Origin: 'null' })).rejects.toThrow(/403/)
    for (const origin of [`http://127.0.0.1:${host.port}`, `http://localhost:${host.port}`]) (await openSocket(query, { Origin: origin })).close()
  })

  it('lets the page connect only to its own WebSocket', async () => {
    const csp = (await fetch(`http://127.0.0.1:${host.port}/`)).headers.get('content-security-policy') ?? ''
    const connect = csp.split('; ').find((d) => d.startsWith('connect-src'))
    expect(connect).toBe(`connect-src 'self' ws://127.0.0.1:${host.port}${RPC_PATH}`)
  })

  it('answers an unknown call and a malformed one with a code and a message', async () => {
    const ws = await openSocket(`?token=${host.token}`)
    const unknown = await rawCall(ws, { t: 'q', i: 'a1', m: 'dropAllTables', a: [] })
    expect(unknown.e).toMatchObject({ code: 'not-found', message: expect.stringContaining('Unknown call "dropAllTables"') })
    const inherited = await rawCall(ws, { t: 'q', i: 'a2', m: 'constructor', a: [] })
    expect(inherited.e).toMatchObject({ code: 'not-found' })
    const badArgs = await rawCall(ws, { t: 'q', i: 'a3', m: 'listRuns', a: 5 })
    expect(badArgs.e).toMatchObject({ code: 'invalid-argument', message: expect.stringContaining('Malformed call') })
    const refusedArgs = await rawCall(ws, { t: 'q', i: 'a4', m: 'getRun', a: [{}] })
    expect(refusedArgs.e).toMatchObject({ code: 'invalid-argument', message: expect.stringContaining('getRun') })
    ws.close()
  })

  it('drops a frame larger than the largest legitimate call', async () => {
    const ws = await openSocket(`?token=${host.token}`)
    const closed = closeOf(ws)
    ws.send(Buffer.alloc(MAX_FRAME_BYTES + 1))
    expect((await closed).code).toBe(1009)
  })

  it('drops a frame of a million empty maps instead of decoding it', async () => {
    const ws = await openSocket(`?token=${host.token}`)
    const closed = closeOf(ws)
    // fixarray-32 header with 2^20 entries, each an empty fixmap (0x80): 1 MiB of "{}".
    const frame = Buffer.alloc(MAX_FRAME_BYTES - 16, 0x80)
    frame.set([0xdd, 0x00, 0x10, 0x00, 0x00], 0)
    ws.send(frame)
    expect((await closed).code).toBe(1003)
  })
})

describe('browser host limits per client', () => {
  let gated: RunningHost
  let release: () => void = () => undefined
  afterEach(async () => {
    release()
    await gated?.close()
  })

  /** A host whose getAppInfo waits for release() and whose getTrainingLog answers `replyBytes` bytes. */
  async function hostWith(replyBytes: number): Promise<RunningHost> {
    const gate = new Promise<void>((resolve) => (release = resolve))
    const calls = new Proxy(studio.calls, {
      get: (target, key: keyof StudioCalls) => {
        if (key === 'getAppInfo') return () => gate.then(() => target.listRuns())
        if (key === 'getTrainingLog') return async () => [{ blob: new Uint8Array(replyBytes) }]
        return (target[key] as (...a: unknown[]) => unknown).bind(target)
      },
    })
    gated = await startHost({ calls, events: studio.events, rendererDir: join(root, 'renderer') })
    return gated
  }

  it(`refuses calls beyond ${MAX_PENDING_CALLS} in flight, with a code, and serves the rest`, async () => {
    const h = await hostWith(0)
    const ws = await openRawSocket(h.port, `?token=${h.token}`)
    const answers = new Map<string, { e?: WireError }>()
    ws.on('message', (d: ArrayBuffer) => {
      const m = decodeMessage(d) as { t: string; i: string; e?: WireError }
      if (m.t === 's') answers.set(m.i, m)
    })
    for (let i = 0; i < MAX_PENDING_CALLS + 10; i++) ws.send(encodeMessage({ t: 'q', i: `c${i}`, m: 'getAppInfo', a: [] }))
    await vi.waitFor(() => expect(answers.size).toBe(10))
    expect([...answers.values()].every((a) => a.e?.code === 'unavailable' && /calls are already in flight/.test(a.e.message))).toBe(true)
    release()
    await vi.waitFor(() => expect(answers.size).toBe(MAX_PENDING_CALLS + 10), { timeout: 20_000 })
    ws.close()
  })

  it('disconnects a client that stops reading its replies', async () => {
    const h = await hostWith(4 * 1024 * 1024)
    const ws = await openRawSocket(h.port, `?token=${h.token}`)
    const closed = closeOf(ws)
    ws.pause()
    for (let i = 0; i < 40; i++) ws.send(encodeMessage({ t: 'q', i: `s${i}`, m: 'getTrainingLog', a: ['abcdef123456'] }))
    await vi.waitFor(() => expect(h.clientCount()).toBe(0), { timeout: 10_000 })
    ws.resume()
    const { code, reason } = await closed
    expect([SLOW_CONSUMER_CLOSE.code, 1006]).toContain(code)
    if (code === SLOW_CONSUMER_CLOSE.code) expect(reason).toBe(SLOW_CONSUMER_CLOSE.reason)
  })
})
