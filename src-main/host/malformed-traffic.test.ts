// A bounded, seeded fuzz of what a hostile local page or process can send the
// browser host: request targets and headers on the upgrade, then frames on an
// authorised socket. Whatever arrives, the host keeps answering its real clients.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { CALL_NAMES } from '../../src-shared/contract'
import { connectStudio } from '../../src-shared/rpc-client'
import { decodeMessage, encodeMessage } from '../../src-shared/wire'
import { sampleRun, tempStudio, type TempStudio } from '../testing/studio-fixture'
import { openSocket, rawRequest, upgradeRequest } from '../testing/host-client'
import { startHost, type RunningHost } from './server'

let studio: TempStudio
let host: RunningHost
let root: string

beforeAll(async () => {
  studio = tempStudio()
  studio.runs.create(sampleRun)
  root = mkdtempSync(join(tmpdir(), 'sagan-fuzz-'))
  mkdirSync(join(root, 'renderer'))
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>studio</title>')
  host = await startHost({ calls: studio.calls, events: studio.events, rendererDir: join(root, 'renderer') })
})
afterAll(async () => {
  await host.close()
  await studio.dispose()
  rmSync(root, { recursive: true, force: true })
})

/** mulberry32: the same cases on every run, so a failure reproduces. */
function seeded(seed: number) {
  let a = seed
  const next = () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]
  return { next, int, pick }
}

const PIECES = [
  '/',
  '/rpc',
  'http://',
  'http://[',
  '[',
  ']',
  '::',
  '%',
  '%zz',
  '%00',
  '?',
  '&',
  '#',
  '..',
  '//',
  '\\',
  '@',
  ':',
  'token=',
  '\u00ff',
  '\u2028',
  ' ',
  '*',
  'ws://',
  'rpc?token=x&token=y',
  '/rpc?token=',
  '%2e%2e',
  'a'.repeat(300),
]

function randomTarget(r: ReturnType<typeof seeded>): string {
  let target = ''
  const parts = 1 + r.int(6)
  for (let i = 0; i < parts; i++) target += r.pick(PIECES)
  // Bytes a request line cannot carry are replaced: the fuzz is of targets, not of HTTP framing.
  return target.replace(/[\r\n ]/g, '_')
}

function randomHeaders(r: ReturnType<typeof seeded>, port: number): Record<string, string> {
  const headers: Record<string, string> = {}
  const hosts = ['127.0.0.1', `127.0.0.1:${port}`, 'localhost', '[::1]', 'rebind.example', '', '[', 'a@b', `127.0.0.1:${'9'.repeat(20)}`, '127.0.0.1:-1']
  headers.Host = r.pick(hosts)
  if (r.next() < 0.5) headers.Origin = r.pick(['null', 'http://[', `http://127.0.0.1:${port}`, 'file://', 'http://rebind.example', 'javascript:1', '%'])
  if (r.next() < 0.3) headers['Sec-WebSocket-Version'] = r.pick(['8', '13', 'x', ''])
  if (r.next() < 0.3) headers['Sec-WebSocket-Key'] = r.pick(['', 'short', '=='])
  if (r.next() < 0.2) headers['Sec-WebSocket-Extensions'] = r.pick(['permessage-deflate; server_max_window_bits=99', 'x;;;', 'permessage-deflate'])
  return headers
}

function randomValue(r: ReturnType<typeof seeded>, depth = 0): unknown {
  const kind = r.int(depth > 3 ? 5 : 8)
  switch (kind) {
    case 0:
      return r.int(2 ** 31) * (r.next() < 0.5 ? -1 : 1)
    case 1:
      return r.pick([Number.NaN, Infinity, -0, 1e308, 0.5])
    case 2:
      return r.pick(['', 'demo', '/', '../../etc/passwd', 'abcdef123456', 'x'.repeat(1000), '__proto__'])
    case 3:
      return r.pick([null, true, false])
    case 4:
      return new Uint8Array(r.int(64))
    case 5:
      return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1))
    default:
      return Object.fromEntries(
        Array.from({ length: r.int(4) }, () => [r.pick(['t', 'i', 'm', 'a', 'datasetPath', 'sort', 'overrides', 'x']), randomValue(r, depth + 1)]),
      )
  }
}

function randomFrame(r: ReturnType<typeof seeded>): Uint8Array {
  const kind = r.int(4)
  if (kind === 0) return Uint8Array.from({ length: 1 + r.int(200) }, () => r.int(256))
  if (kind === 1) return encodeMessage(randomValue(r))
  // Well-formed envelopes to every call (and some that do not exist) with random arguments.
  const m = r.next() < 0.9 ? r.pick(CALL_NAMES.filter((c) => c !== 'getAppInfo')) : r.pick(['x', '', '__proto__', 'toString'])
  const a = Array.from({ length: 1 + r.int(3) }, () => randomValue(r))
  return encodeMessage({ t: r.next() < 0.9 ? 'q' : 's', i: r.next() < 0.8 ? `f${r.int(1e6)}` : undefined, m, a })
}

async function hostStillServes(): Promise<void> {
  const ws = await openSocket(host.port, `?token=${host.token}`)
  const client = connectStudio(
    {
      post: (d) => ws.send(d),
      on: (fn) => ws.on('message', (d: ArrayBuffer) => fn(d)),
      serialize: encodeMessage,
      deserialize: (d: ArrayBuffer) => decodeMessage(d),
    },
    {},
  )
  expect((await client.listRuns()).map((run) => run.name)).toEqual([sampleRun.name])
  ws.close()
}

describe('the browser host under malformed traffic', () => {
  it('answers or drops 300 random upgrade targets and headers, and keeps serving', async () => {
    const r = seeded(16)
    for (let i = 0; i < 300; i++) {
      const line = await rawRequest(host.port, upgradeRequest(randomTarget(r), randomHeaders(r, host.port)))
      // Either an HTTP refusal or a plain close; never an open socket without the token.
      expect(line).not.toMatch(/^HTTP\/1.1 101/)
    }
    await hostStillServes()
  })

  it('answers or drops 300 random frames on an authorised socket, and keeps serving', async () => {
    const r = seeded(61)
    let ws: WebSocket | null = null
    let answered = 0
    for (let i = 0; i < 300; i++) {
      if (!ws || ws.readyState !== ws.OPEN) {
        ws = await openSocket(host.port, `?token=${host.token}`)
        ws.on('message', () => answered++)
      }
      ws.send(randomFrame(r))
      // Let the host answer (or close) before the next frame.
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    ws?.close()
    expect(answered).toBeGreaterThan(0)
    await hostStillServes()
    expect(studio.runs.list()).toHaveLength(1)
  })
})
