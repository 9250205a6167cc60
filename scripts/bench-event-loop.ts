// npm run bench:event-loop [-- --seconds 120 --resolution 5 --data-dir DIR --fresh --json]
// Main-process event-loop lag while a real run trains (issue 9: p99 < 20 ms).
// Opens a real studio, serves it over the real WebSocket host, connects a
// client in a separate process (as a browser would be: msgpack encode on our
// side, decode on theirs), starts a run on the demo dataset with frequent
// sample sheets, checkpoints and FID evaluations, and measures the main
// thread with perf_hooks.monitorEventLoopDelay for --seconds.
// The client fetches every new sheet and the metrics, as the run page does.
//
// The dataset's FID extractor is trained once per data folder (~5 min on 2
// cores) and cached in its database: the default data folder is kept between
// runs so only the first run pays it (before measuring). --fresh wipes it.
//
// Workers run from the bundle: run `npm run build` first.
// Where a stall comes from: node --cpu-prof --cpu-prof-dir /tmp/prof --import ./scripts/tfjs-resolve-hook.mjs --import tsx scripts/bench-event-loop.ts
import { fork, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    resolution: { type: 'string', default: '5' },
    'data-dir': { type: 'string', default: join(tmpdir(), 'sagan-bench-event-loop') },
    fresh: { type: 'boolean', default: false },
    'sample-every': { type: 'string', default: '3' },
    'checkpoint-every': { type: 'string', default: '5' },
    'eval-every': { type: 'string', default: '10' },
    'eval-samples': { type: 'string', default: '500' },
    'stall-ms': { type: 'string', default: '20' },
    client: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
})

interface ClientCounts {
  progress: number
  samples: number
  checkpoints: number
  metrics: number
  runUpdated: number
  sheetsFetched: number
  sheetBytes: number
  lastStep: number
}

/** execArgv without --cpu-prof and its valued options (`--cpu-prof-dir X` or `--cpu-prof-dir=X`). */
function withoutProfiling(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--cpu-prof') && !a.startsWith('--heap-prof')) out.push(a)
    else if (!a.includes('=') && /-(dir|name|interval)$/.test(a)) i++
  }
  return out
}

function roundStall<T extends { at: number; ms: number; busyMs: number; gcMs: number }>(s: T): T {
  return { ...s, at: Number(s.at.toFixed(1)), ms: Number(s.ms.toFixed(1)), busyMs: Number(s.busyMs.toFixed(1)), gcMs: Number(s.gcMs.toFixed(1)) }
}

if (args.client) await runClient(args.client)
else await main()

// --- the client (its own process, like a browser tab) ----------------------

async function runClient(url: string): Promise<void> {
  const { WebSocket } = await import('ws')
  const { connectStudio } = await import('../src-shared/rpc-client')
  const { decodeMessage, encodeMessage } = await import('../src-shared/wire')
  const ws = new WebSocket(url)
  ws.binaryType = 'arraybuffer'
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const counts: ClientCounts = { progress: 0, samples: 0, checkpoints: 0, metrics: 0, runUpdated: 0, sheetsFetched: 0, sheetBytes: 0, lastStep: 0 }
  const client = connectStudio(
    {
      post: (d) => ws.send(d),
      on: (fn) => ws.on('message', (d: ArrayBuffer) => fn(d)),
      serialize: encodeMessage,
      deserialize: (d: ArrayBuffer) => decodeMessage(d),
    },
    {
      runProgress: (p) => {
        counts.progress++
        counts.lastStep = p.step
      },
      runUpdated: () => counts.runUpdated++,
      checkpointSaved: () => counts.checkpoints++,
      samplesSaved: (s) => {
        counts.samples++
        // The run page follows the newest sheet: fetch it, as it would.
        void client.getSampleSheet(s.runId, s.step, s.weights).then((sheet) => {
          counts.sheetsFetched++
          counts.sheetBytes += sheet?.png.byteLength ?? 0
        })
      },
      metricComputed: (m) => {
        counts.metrics++
        void client.getMetrics(m.runId)
      },
    },
  )
  process.on('message', (m: { type: string }) => {
    if (m.type === 'report') {
      process.send!({ type: 'counts', counts }, () => {
        client.close()
        ws.close()
        process.exit(0)
      })
    }
  })
  process.send!({ type: 'connected' })
}

// --- the studio side (measured) --------------------------------------------

async function main(): Promise<void> {
  const { openStudio } = await import('../src-main/studio/open-studio')
  const { startHost } = await import('../src-main/host/server')
  const { DEMO_DATASET } = await import('../src-shared/training')
  const { TrainingStore } = await import('../src-main/store/training-store')
  const { RPC_PATH } = await import('../src-main/host/server')

  const seconds = Number(args.seconds)
  const resolution = Number(args.resolution)
  const stallMs = Number(args['stall-ms'])
  const dataDir = args['data-dir']!
  if (args.fresh) rmSync(dataDir, { recursive: true, force: true })
  mkdirSync(dataDir, { recursive: true })
  const rendererDir = mkdtempSync(join(tmpdir(), 'sagan-bench-renderer-'))
  const log = (s: string) => {
    if (!args.json) console.log(s)
  }

  // Time every store write the run session and evaluation make on the main thread
  // (patched on the class, before the studio opens its store).
  const writes: Record<string, number[]> = {}
  for (const method of ['saveCheckpoint', 'saveSamples', 'saveMetrics', 'appendLog', 'cached'] as const) {
    const proto = TrainingStore.prototype as unknown as Record<string, (...a: unknown[]) => unknown>
    const original = proto[method]
    proto[method] = function (this: unknown, ...a: unknown[]) {
      const w0 = performance.now()
      try {
        return original.apply(this, a)
      } finally {
        ;(writes[method] ??= []).push(performance.now() - w0)
      }
    }
  }

  const studio = openStudio({ dataDir, host: 'browser' })
  const host = await startHost({ calls: studio.calls, events: studio.events, rendererDir })
  const overrides = {
    steps: 1_000_000,
    sampleEvery: Number(args['sample-every']),
    checkpointEvery: { steps: Number(args['checkpoint-every']), minutes: 10 },
    evalEvery: Number(args['eval-every']),
    evalSamples: Number(args['eval-samples']),
  }

  // The FID extractor of the demo dataset: trained once per data folder, before measuring.
  // The first evaluation's values arrive once it is (cached from the first time on).
  {
    const t0 = performance.now()
    log('FID extractor for the demo dataset: first evaluation (trains the extractor when this data folder has none: several minutes)...')
    const run = await studio.calls.startRun({
      datasetPath: DEMO_DATASET,
      name: 'bench: extractor warm-up',
      preset: 'quick',
      overrides: { ...overrides, evalEvery: 1 },
    })
    await new Promise<void>((resolve) => {
      const off = studio.events.subscribe((name, a) => {
        if (name !== 'metricComputed' || (a[0] as { runId: string }).runId !== run.id) return
        off()
        resolve()
      })
    })
    await studio.calls.stopRun(run.id)
    await studio.calls.waitForRun(run.id).catch(() => undefined)
    log(`extractor ready (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
  }

  // The client, in its own process; --cpu-prof and friends stay with the measured process.
  const self = fileURLToPath(import.meta.url)
  const child: ChildProcess = fork(self, ['--client', `ws://127.0.0.1:${host.port}${RPC_PATH}?token=${host.token}`], {
    execArgv: withoutProfiling(process.execArgv),
    stdio: 'inherit',
  })
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve())
    child.once('exit', (code) => reject(new Error(`client exited (${code})`)))
  })

  // Server-side view of the events, with times, to name what preceded a stall.
  const server = { progress: 0, samples: 0, checkpoints: 0, metrics: 0 }
  const recent: { t: number; what: string }[] = []
  const unsubscribe = studio.events.subscribe((name, a) => {
    const what =
      name === 'runProgress'
        ? 'progress'
        : name === 'samplesSaved'
          ? 'samples'
          : name === 'checkpointSaved'
            ? 'checkpoints'
            : name === 'metricComputed'
              ? 'metrics'
              : null
    if (what) server[what as keyof typeof server]++
    recent.push({ t: performance.now(), what: `${name}${name === 'checkpointSaved' ? ` ${((a[0] as { bytes: number }).bytes / 1e6).toFixed(1)} MB` : ''}` })
  })

  for (const times of Object.values(writes)) times.length = 0 // the warm-up's writes are not measured

  const load0 = loadavg()
  const startedAt = new Date()
  const run = await studio.calls.startRun({ datasetPath: DEMO_DATASET, name: 'bench: event loop', preset: 'quick', overrides })
  const histogram = monitorEventLoopDelay({ resolution })
  const elu0 = performance.eventLoopUtilization()
  const t0 = performance.now()
  histogram.enable()
  // A coarse stall log beside the histogram: when, how much of it the main
  // thread was busy (event-loop utilisation) or in GC, and what the studio did
  // just before. A late tick with little busy time is the OS not scheduling
  // the thread (other threads and processes on 2 cores), not our code.
  const stalls: { at: number; ms: number; busyMs: number; gcMs: number; after: string }[] = []
  const gcs: { start: number; end: number }[] = []
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration })
  })
  gcObserver.observe({ entryTypes: ['gc'] })
  let last = performance.now()
  let lastElu = performance.eventLoopUtilization()
  // Per 5 ms tick: how late it fired, and how much of that the main thread spent
  // running (its own work or GC) rather than waiting for a core.
  const lateness: number[] = []
  const ownLateness: number[] = []
  const tick = setInterval(() => {
    const now = performance.now()
    const elu = performance.eventLoopUtilization()
    const late = now - last - 5
    lateness.push(Math.max(0, late))
    ownLateness.push(Math.max(0, Math.min(late, elu.active - lastElu.active)))
    if (late >= stallMs) {
      const before = recent.filter((e) => e.t <= now && e.t >= last - 50).map((e) => e.what)
      const gcMs = gcs.filter((g) => g.end >= last && g.start <= now).reduce((sum, g) => sum + Math.min(g.end, now) - Math.max(g.start, last), 0)
      stalls.push({ at: (last - t0) / 1000, ms: late, busyMs: elu.active - lastElu.active, gcMs, after: [...new Set(before)].join(', ') || '-' })
    }
    while (gcs.length > 0 && gcs[0].end < now - 1000) gcs.shift()
    last = now
    lastElu = elu
  }, 5)
  let nextReport = 10
  while (performance.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1000))
    const s = (performance.now() - t0) / 1000
    if (s >= nextReport) {
      nextReport += 10
      log(
        `  ${s.toFixed(0)} s: p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms, max ${(histogram.max / 1e6).toFixed(1)} ms; events ${JSON.stringify(server)}`,
      )
    }
    while (recent.length > 0 && recent[0].t < performance.now() - 5000) recent.shift()
  }
  histogram.disable()
  clearInterval(tick)
  gcObserver.disconnect()
  const elu = performance.eventLoopUtilization(elu0)
  const load1 = loadavg()
  const { step } = await studio.calls.getRun(run.id)

  const counts = await new Promise<ClientCounts>((resolve) => {
    child.on('message', (m: { type: string; counts?: ClientCounts }) => {
      if (m.type === 'counts') resolve(m.counts!)
    })
    child.send({ type: 'report' })
  })
  unsubscribe()
  await studio.calls.stopRun(run.id)
  await studio.calls.waitForRun(run.id).catch(() => undefined)
  await host.close()
  await studio.close()
  rmSync(rendererDir, { recursive: true, force: true })

  const ms = (ns: number) => Number((ns / 1e6).toFixed(2))
  // The histogram records the time between the monitor's timer firings, which
  // includes the timer's own period: the lag is what exceeds it.
  const lag = (ns: number) => Number(Math.max(0, ns / 1e6 - resolution).toFixed(2))
  const busyStalls = stalls.filter((s) => s.busyMs >= stallMs)
  const pct = (xs: number[], q: number) => {
    const sorted = [...xs].sort((a, b) => a - b)
    return Number((sorted[Math.min(sorted.length - 1, Math.floor((q / 100) * sorted.length))] ?? 0).toFixed(2))
  }
  const result = {
    startedAt: startedAt.toISOString(),
    seconds,
    resolutionMs: resolution,
    lagMs: {
      p50: lag(histogram.percentile(50)),
      p90: lag(histogram.percentile(90)),
      p99: lag(histogram.percentile(99)),
      p999: lag(histogram.percentile(99.9)),
      max: lag(histogram.max),
      mean: lag(histogram.mean),
    },
    /** The same ticks split: lateness while the main thread ran (our work, GC) vs all lateness (also: waiting for a core). */
    tickLagMs: {
      ticks: lateness.length,
      p99: pct(lateness, 99),
      max: pct(lateness, 100),
      ownP99: pct(ownLateness, 99),
      ownP999: pct(ownLateness, 99.9),
      ownMax: pct(ownLateness, 100),
    },
    rawDelayMs: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) },
    eventLoopUtilization: Number(elu.utilization.toFixed(3)),
    steps: step,
    serverEvents: server,
    clientEvents: counts,
    storeCallsMs: Object.fromEntries(Object.entries(writes).map(([k, v]) => [k, { n: v.length, median: pct(v, 50), max: pct(v, 100) }])),
    loadAverage: { start: load0.map((x) => Number(x.toFixed(2))), end: load1.map((x) => Number(x.toFixed(2))) },
    stallsOver: {
      ms: stallMs,
      count: stalls.length,
      busyCount: busyStalls.length,
      worst: [...stalls]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 8)
        .map(roundStall),
      worstBusy: [...busyStalls]
        .sort((a, b) => b.busyMs - a.busyMs)
        .slice(0, 8)
        .map(roundStall),
    },
  }
  if (args.json) console.log(JSON.stringify(result))
  else {
    const r = result
    console.log(`\nmain-thread event-loop lag over ${seconds} s of training (monitorEventLoopDelay, resolution ${resolution} ms, minus that period):`)
    console.log(
      `  p50 ${r.lagMs.p50} ms, p90 ${r.lagMs.p90} ms, p99 ${r.lagMs.p99} ms, p99.9 ${r.lagMs.p999} ms, max ${r.lagMs.max} ms, mean ${r.lagMs.mean} ms; event-loop utilisation ${(r.eventLoopUtilization * 100).toFixed(1)}%`,
    )
    console.log(`  (raw histogram: p50 ${r.rawDelayMs.p50} ms, p99 ${r.rawDelayMs.p99} ms, max ${r.rawDelayMs.max} ms)`)
    console.log(
      `  5 ms ticks (${r.tickLagMs.ticks}): late p99 ${r.tickLagMs.p99} ms, max ${r.tickLagMs.max} ms; of it while the main thread ran (own work + GC): p99 ${r.tickLagMs.ownP99} ms, p99.9 ${r.tickLagMs.ownP999} ms, max ${r.tickLagMs.ownMax} ms`,
    )
    console.log(`  steps done ${r.steps}; events at the server ${JSON.stringify(r.serverEvents)}`)
    console.log(
      `  client received: ${counts.progress} progress, ${counts.samples} samples (${counts.sheetsFetched} sheets fetched, ${(counts.sheetBytes / 1024).toFixed(0)} KiB), ${counts.checkpoints} checkpoints, ${counts.metrics} metrics, ${counts.runUpdated} runUpdated`,
    )
    console.log(
      `  store calls on the main thread (ms): ${Object.entries(r.storeCallsMs)
        .map(([k, v]) => `${k} n ${v.n} median ${v.median} max ${v.max}`)
        .join('; ')}`,
    )
    console.log(`  load average start ${r.loadAverage.start.join(' ')}, end ${r.loadAverage.end.join(' ')}`)
    const show = (list: typeof r.stallsOver.worst) =>
      list.map((s) => `${s.ms} ms (busy ${s.busyMs}, GC ${s.gcMs}) at ${s.at} s after [${s.after}]`).join('; ') || 'none'
    console.log(`  late ticks >= ${stallMs} ms: ${stalls.length}, of which the main thread was busy >= ${stallMs} ms: ${busyStalls.length}`)
    console.log(`  worst late: ${show(r.stallsOver.worst)}`)
    console.log(`  worst busy: ${show(r.stallsOver.worstBusy)}`)
  }
  process.exit(0)
}
