import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { connectStudio } from '../../src-shared/rpc-client'
import type { RunSummary } from '../../src-shared/runs'
import { decodeMessage, encodeMessage } from '../../src-shared/wire'
import { sampleRun, tempStudio, type TempStudio } from '../testing/studio-fixture'
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
  host = await startHost({ service: studio.service, events: studio.service.events, rendererDir: join(root, 'renderer') })
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

function openSocket(query: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${RPC_PATH}${query}`)
    ws.binaryType = 'arraybuffer'
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

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
    const wide = await startHost({ service: studio.service, events: studio.service.events, rendererDir: join(root, 'renderer'), host: '0.0.0.0' })
    try {
      expect(wide.url).toContain('0.0.0.0')
      const refused = new WebSocket(`ws://127.0.0.1:${wide.port}${RPC_PATH}`)
      await expect(new Promise((resolve, reject) => { refused.once('open', resolve); refused.once('error', reject) })).rejects.toThrow(/401/)
    } finally {
      await wide.close()
    }
  })

  it('refuses a --token shorter than 16 characters', async () => {
    await expect(startHost({ service: studio.service, events: studio.service.events, rendererDir: root, token: 'short' })).rejects.toThrow(/at least 16/)
  })

  it('drops a connection that sends bytes that are not a message', async () => {
    const ws = await openSocket(`?token=${host.token}`)
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send(Buffer.from([0xc1, 0xff, 0x00]))
    expect(await closed).toBe(1003)
  })
})
