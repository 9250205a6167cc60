// npm run bench:soak: the browser host under load, attack and a crash, in one
// bounded run on loopback. 200 clients poll the studio while a tiny run trains
// and malformed traffic arrives; then the host is killed with SIGKILL,
// restarted on the same data folder, and the run resumed. Prints what was
// lost (runs, checkpoints, sample sheets, loss-log rows, metrics: must be
// nothing) and the host's memory curve. Needs `npm run build` first.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { WebSocket } from 'ws'
import { connectStudio, type StudioClient } from '../src-shared/rpc-client'
import { decodeMessage, encodeMessage } from '../src-shared/wire'

const CLIENTS = 200
const POLL_ROUNDS = 20
const DEADLINE_MS = 9 * 60_000
const CLI = join(import.meta.dirname, '..', 'out', 'main', 'cli.js')
const started = Date.now()
const dataDir = mkdtempSync(join(tmpdir(), 'sagan-soak-'))
const token = randomBytes(24).toString('hex')
const memory: { t: number; phase: string; rssMiB: number }[] = []
let phase = 'start'

function elapsed(): number {
  return (Date.now() - started) / 1000
}

function checkDeadline(): void {
  if (Date.now() - started > DEADLINE_MS) throw new Error(`soak exceeded its ${DEADLINE_MS / 60_000} min bound during "${phase}"`)
}

async function startHost(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SAGAN_STUDIO_TOKEN: token },
  })
  child.stderr!.resume()
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${out}`)), 60_000)
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /running at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    })
    child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${out}`)))
  })
  return { child, port }
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

function sampleMemory(pid: number): NodeJS.Timeout {
  return setInterval(() => {
    try {
      memory.push({ t: elapsed(), phase, rssMiB: rssMiB(pid) })
    } catch {
      // the host is being restarted
    }
  }, 1000)
}

async function client(port: number): Promise<{ ws: WebSocket; api: StudioClient }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/rpc?token=${token}`)
  ws.binaryType = 'arraybuffer'
  // Resets after the host is killed are expected.
  ws.on('error', () => undefined)
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const api = connectStudio(
    {
      post: (d) => ws.send(d),
      on: (fn) => ws.on('message', (d: ArrayBuffer) => fn(d)),
      serialize: encodeMessage,
      deserialize: (d: ArrayBuffer) => decodeMessage(d),
    },
    {},
    { timeoutMs: 60_000 },
  )
  return { ws, api }
}

function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    let out = ''
    s.setTimeout(5000, () => s.destroy())
    s.on('data', (c) => (out += c.toString('latin1')))
    s.on('error', () => undefined)
    s.on('close', () => resolve(out.split('\r\n')[0]))
    s.write(bytes)
  })
}

const upgrade = (target: string, host = '127.0.0.1') =>
  `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`

/** Every kind of malformed traffic the host must survive; returns how many were sent. */
async function malformed(port: number): Promise<number> {
  let sent = 0
  for (let i = 0; i < 50; i++) {
    await raw(port, upgrade('http://[/rpc'))
    await raw(port, upgrade(`/rpc?token=${token}`, 'rebind.example'))
    await raw(port, 'GET / HTTP/1.1\r\nHost: \x00\x01\r\n\r\n')
    await raw(port, Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff]))
    sent += 4
  }
  for (let i = 0; i < 20; i++) {
    const { ws } = await client(port)
    const closed = new Promise((resolve) => ws.once('close', resolve))
    if (i % 4 === 0)
      ws.send(Buffer.alloc(2 * 1024 * 1024)) // over the frame limit
    else if (i % 4 === 1)
      ws.send(Buffer.concat([Buffer.from([0xdd, 0x00, 0x0f, 0xff, 0xff]), Buffer.alloc(1024 * 1000, 0x80)])) // a million empty maps
    else if (i % 4 === 2) ws.send(encodeMessage({ t: 'q', i: 'x', m: 'dropEverything', a: [] }))
    else ws.send(Buffer.from([0xc1]))
    sent++
    if (i % 4 === 2) ws.close()
    await closed
  }
  // A slow consumer: stops reading while asking for sample sheets.
  const slow = await client(port)
  slow.ws.pause()
  for (let i = 0; i < 3000; i++) slow.ws.send(encodeMessage({ t: 'q', i: `s${i}`, m: 'listRuns', a: [] }))
  sent += 3000
  await new Promise((r) => setTimeout(r, 3000))
  slow.ws.terminate()
  return sent
}

interface Snapshot {
  runs: string[]
  checkpoints: string[]
  samples: string[]
  log: string[]
  metrics: string[]
}

function snapshot(): Snapshot {
  const db = new Database(join(dataDir, 'studio.sqlite'), { readonly: true })
  try {
    const col = (sql: string) => db.prepare(sql).pluck().all() as string[]
    return {
      runs: col('SELECT id FROM runs'),
      checkpoints: col("SELECT run_id || '@' || step FROM checkpoints"),
      samples: col("SELECT run_id || '@' || step || weights FROM samples"),
      log: col("SELECT run_id || '@' || step FROM train_log"),
      metrics: col("SELECT run_id || '@' || id FROM metrics"),
    }
  } finally {
    db.close()
  }
}

function lost(before: Snapshot, after: Snapshot): Record<keyof Snapshot, number> {
  const out = {} as Record<keyof Snapshot, number>
  for (const key of Object.keys(before) as (keyof Snapshot)[]) {
    const kept = new Set(after[key])
    out[key] = before[key].filter((k) => !kept.has(k)).length
  }
  return out
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    checkDeadline()
    const value = await probe()
    if (value !== undefined) return value
    phase = what
    await new Promise((r) => setTimeout(r, 500))
  }
}

async function main(): Promise<void> {
  console.log(
    `bench:soak: ${CLIENTS} clients, a tiny training run, malformed traffic, kill -9 of the host; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )
  let host = await startHost()
  let sampler = sampleMemory(host.child.pid!)
  phase = 'clients'
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => client(host.port)))
  console.log(`${clients.length} clients connected in ${elapsed().toFixed(1)} s`)

  const tiny = { steps: 16, batchSize: 4, gCh: 8, dCh: 8, replicas: 1, sampleEvery: 2, checkpointEvery: { steps: 2 }, keepLastCheckpoints: 100, evalEvery: 0 }
  const run = await clients[0].api.startRun({ datasetPath: 'demo', preset: 'quick', overrides: tiny })
  phase = 'train + poll + malformed'
  let calls = 0
  const polling = (async () => {
    for (let round = 0; round < POLL_ROUNDS; round++) {
      checkDeadline()
      await Promise.all(
        clients.map(async (c) => {
          await c.api.listRuns()
          calls++
        }),
      )
    }
  })()
  const malformedSent = await malformed(host.port)
  await polling
  console.log(`${calls} calls answered to ${CLIENTS} clients; ${malformedSent} malformed requests and frames sent`)

  await waitFor('training to step 8', async () => ((await clients[0].api.getRun(run.id)).step >= 8 ? true : undefined))
  const before = snapshot()
  phase = 'kill -9'
  host.child.kill('SIGKILL')
  await new Promise((r) => host.child.once('exit', r))
  for (const c of clients) c.ws.terminate()
  clearInterval(sampler)

  host = await startHost()
  sampler = sampleMemory(host.child.pid!)
  phase = 'restarted'
  const after = snapshot()
  const fresh = await client(host.port)
  const interrupted = await fresh.api.getRun(run.id)
  const lostAtKill = lost(before, after)
  console.log(`after kill -9 and restart: run ${interrupted.status} at step ${interrupted.step}; lost: ${JSON.stringify(lostAtKill)}`)

  phase = 'resume'
  await fresh.api.resumeRun(run.id)
  const done = await waitFor('resumed run to finish', async () => {
    const r = await fresh.api.getRun(run.id)
    return r.status === 'completed' || r.status === 'failed' ? r : undefined
  })
  const final = snapshot()
  const lostAfterResume = lost(before, final)
  const log = (await fresh.api.getTrainingLog(run.id)).map((p) => p.step)
  const contiguous = log.every((s, i) => i === 0 || s > log[i - 1])
  fresh.ws.close()
  clearInterval(sampler)
  host.child.kill('SIGTERM')
  await new Promise((r) => host.child.once('exit', r))

  const curve = memory.filter((_, i) => i % 5 === 0 || i === memory.length - 1)
  console.log('host memory (RSS MiB) over time:')
  for (const m of curve) console.log(`  ${m.t.toFixed(0).padStart(4)} s  ${m.rssMiB.toFixed(0).padStart(5)} MiB  ${m.phase}`)
  const peak = Math.max(...memory.map((m) => m.rssMiB))
  console.log(
    `peak RSS ${peak.toFixed(0)} MiB; final run ${done.status} at step ${done.step}/${done.targetSteps}; loss log ${log.length} points, increasing: ${contiguous}`,
  )
  console.log(
    `lost after resume: ${JSON.stringify(lostAfterResume)}; total ${elapsed().toFixed(0)} s; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )
  const nothingLost = Object.values(lostAtKill).every((n) => n === 0) && Object.values(lostAfterResume).every((n) => n === 0)
  if (!nothingLost || done.status !== 'completed' || !contiguous) {
    console.error('bench:soak: something was lost or the run did not complete')
    process.exitCode = 1
  }
}

main()
  .catch((err: unknown) => {
    console.error(`bench:soak failed: ${(err as Error).message}`)
    process.exitCode = 1
  })
  .finally(() => rmSync(dataDir, { recursive: true, force: true }))
