// npm run bench:scaling [-- --only quick|fixed --iters 6 --warmup 2]
// The ceiling of data-parallel training on 2 cores, measured before building
// it (issue 9): tfjs-wasm in Node runs on ONE thread, so a second core could
// only help with a second wasm instance training on the other half of each
// batch. Three measurements per config (bench:train's configs), each worker in
// its own process (its own wasm instance, as a worker_thread would have):
//   1. one worker at the full batch B                        -> images/s
//   2. one worker at B/2, alone                              -> the batch-independent share of a step
//   3. two workers at B/2 at the same time (a start barrier) -> aggregate images/s
// Scaling = (3) / (1), by wall time and by CPU time per step (the steadier
// figure on a shared machine: c(B) / c(B/2 in the pair)). (2) bounds it without contention: t(B)/t(B/2); the
// share of a step that does not shrink with the batch (per-kernel overhead,
// optimiser, EMA, spectral norm) is f = 2 t(B/2)/t(B) - 1, and a data-parallel
// step would still pay it on each replica, plus the gradient exchange.
import { fork, type ChildProcess } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    iters: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    // internal: one measuring worker
    worker: { type: 'boolean', default: false },
    config: { type: 'string' },
    batch: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
})

interface WorkerReport {
  batch: number
  times: number[]
  /** CPU time of the worker process over the timed steps (all its threads). */
  cpuMs: number
  wallMs: number
  /** Peak resident memory of the worker process (its wasm heap included). */
  peakRssMiB: number
}

const CONFIG_SETTINGS = {
  fixed: { gCh: 16, dCh: 16, batchSize: 64 },
  quick: { gCh: 8, dCh: 8, batchSize: 32 },
} as const
type ConfigName = keyof typeof CONFIG_SETTINGS

if (args.worker) await worker(args.config as ConfigName, Number(args.batch))
else await main()

async function worker(name: ConfigName, batchSize: number): Promise<void> {
  const { buildRunConfig } = await import('../src-shared/run-config')
  const { initBackend } = await import('../src-main/engine/backend')
  const { SaganTrainer } = await import('../src-main/engine/trainer')
  const info = await initBackend('wasm')
  if (info.name !== 'wasm') throw new Error(`wasm did not load (${info.name})`)
  const config = buildRunConfig('quick', 'sagan', { ...CONFIG_SETTINGS[name], batchSize, numClasses: 10, channels: 3, seed: 1 })
  const { imageSize: s, channels: c, numClasses } = config
  const trainer = await SaganTrainer.create(config, { numClasses, classNames: [], imageSize: s, channels: c })
  const batch = {
    images: Uint8Array.from({ length: batchSize * s * s * c }, (_, i) => (i * 2654435761) >>> 24),
    labels: Int32Array.from({ length: batchSize }, (_, i) => i % numClasses),
  }
  for (let i = 0; i < Number(args.warmup); i++) await trainer.trainStep([batch])
  process.send!({ type: 'ready' })
  await new Promise<void>((resolve) => process.once('message', () => resolve()))
  const times: number[] = []
  const cpu0 = process.cpuUsage()
  const wall0 = performance.now()
  for (let i = 0; i < Number(args.iters); i++) {
    const t0 = performance.now()
    await trainer.trainStep([batch])
    times.push(performance.now() - t0)
  }
  const cpu = process.cpuUsage(cpu0)
  const report: WorkerReport = {
    batch: batchSize,
    times,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: performance.now() - wall0,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }
  process.send!({ type: 'report', report }, () => process.exit(0))
}

function cpuPerStep(r: WorkerReport): number {
  return r.cpuMs / r.times.length
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** Starts `batches.length` workers, releases them together once all are warm, returns their reports. */
async function measure(name: ConfigName, batches: number[]): Promise<WorkerReport[]> {
  const self = fileURLToPath(import.meta.url)
  const children: ChildProcess[] = batches.map((b) =>
    fork(self, ['--worker', '--config', name, '--batch', String(b), '--iters', String(args.iters), '--warmup', String(args.warmup)], { stdio: 'inherit' }),
  )
  const reports = children.map(
    (child) =>
      new Promise<WorkerReport>((resolve, reject) => {
        child.on('message', (m: { type: string; report?: WorkerReport }) => {
          if (m.type === 'report') resolve(m.report!)
        })
        child.once('exit', (code) => {
          if (code !== 0) reject(new Error(`worker exited with ${code}`))
        })
      }),
  )
  await Promise.all(children.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve()))))
  for (const child of children) child.send({ type: 'go' })
  return Promise.all(reports)
}

async function main(): Promise<void> {
  const results: Record<string, unknown>[] = []
  for (const name of Object.keys(CONFIG_SETTINGS) as ConfigName[]) {
    if (args.only && args.only !== name) continue
    const B = CONFIG_SETTINGS[name].batchSize
    const half = B / 2
    const load0 = loadavg()[0]
    const [full] = await measure(name, [B])
    const [alone] = await measure(name, [half])
    const pair = await measure(name, [half, half])
    const load1 = loadavg()[0]
    const tFull = median(full.times)
    const tHalf = median(alone.times)
    const tPair = pair.map((r) => median(r.times))
    const imgFull = (B * 1000) / tFull
    const imgPair = tPair.reduce((sum, t) => sum + (half * 1000) / t, 0)
    const pairWall = (pair.reduce((sum, r) => sum + r.batch * r.times.length, 0) * 1000) / Math.max(...pair.map((r) => r.wallMs))
    const result = {
      config: name,
      batch: B,
      msPerStep: { full: tFull, halfAlone: tHalf, halfPair: tPair },
      imagesPerSecond: { full: imgFull, halfAlone: (half * 1000) / tHalf, pair: imgPair, pairByWall: pairWall },
      cpuMsPerStep: { full: full.cpuMs / full.times.length, halfAlone: alone.cpuMs / alone.times.length, halfPair: pair.map((r) => r.cpuMs / r.times.length) },
      scaling: imgPair / imgFull,
      /**
       * The same from CPU time, which other processes on the machine disturb far
       * less than wall time: two dedicated cores give B / c(B/2, in the pair)
       * images per CPU-second-per-core against B / c(B) for one.
       */
      scalingByCpu: cpuPerStep(full) / (pair.reduce((sum, r) => sum + r.cpuMs / r.times.length, 0) / pair.length),
      ceilingWithoutContention: tFull / tHalf,
      batchIndependentShare: (2 * tHalf) / tFull - 1,
      peakRssMiB: { full: full.peakRssMiB, halfAlone: alone.peakRssMiB, pair: pair.map((r) => r.peakRssMiB) },
      loadAverage: [load0, load1],
    }
    results.push(result)
    if (args.json) console.log(JSON.stringify(result))
    else {
      const f = (x: number) => x.toFixed(0)
      console.log(`${name} (batch ${B}; load average ${load0.toFixed(2)} -> ${load1.toFixed(2)})`)
      console.log(`  one worker, batch ${B}:        ${f(tFull)} ms/step, ${imgFull.toFixed(2)} img/s (CPU ${f(result.cpuMsPerStep.full)} ms/step)`)
      console.log(
        `  one worker, batch ${half} alone:  ${f(tHalf)} ms/step, ${result.imagesPerSecond.halfAlone.toFixed(2)} img/s (CPU ${f(result.cpuMsPerStep.halfAlone)} ms/step)`,
      )
      console.log(
        `  two workers, batch ${half} each:  ${tPair.map(f).join(' / ')} ms/step, ${imgPair.toFixed(2)} img/s together (${pairWall.toFixed(2)} by wall clock; CPU ${result.cpuMsPerStep.halfPair.map(f).join(' / ')} ms/step)`,
      )
      console.log(`  peak RSS: ${f(full.peakRssMiB)} MiB for one worker at ${B}; ${pair.map((r) => f(r.peakRssMiB)).join(' + ')} MiB for the pair`)
      console.log(
        `  scaling ${result.scaling.toFixed(2)}x by wall time, ${result.scalingByCpu.toFixed(2)}x by CPU time; ceiling without contention t(B)/t(B/2) ${result.ceilingWithoutContention.toFixed(2)}x; batch-independent share of a step ${(result.batchIndependentShare * 100).toFixed(0)}%`,
      )
    }
  }
}
