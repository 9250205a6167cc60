// Dataset loading speed on the full Fashion-MNIST folder (70 000 PNGs):
// cold (decode everything, write the cache) and warm (read the cache).
//
//   npm run bench:dataset [-- --dir DIR] [--image-size 32]
//
// The folder is written once to DIR (default: <tmp>/sagan-bench-fashion-mnist)
// by scripts/build-demo-dataset.ts. Each phase runs in its own process so that
// its peak memory is its own. Targets (issue 4): cold < 60 s, warm < 3 s on 2 cores.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadDataset } from '../src-main/data/index'
import { buildFashionMnistFolder } from './build-demo-dataset'

interface PhaseResult {
  phase: 'cold' | 'warm'
  seconds: number
  images: number
  fromCache: boolean
  /** CPU time of the whole process (all threads): less sensitive than wall time to other load on the machine. */
  cpuSeconds: number
  /** Wall seconds from the start to the end of the scan, and to the start of the cache write. */
  scanDoneAt: number | null
  cacheAt: number | null
  peakRssMiB: number
  /** Longest main-thread stall while loading: shows that decoding runs off the main thread. */
  maxEventLoopDelayMs: number
  p99EventLoopDelayMs: number
}

async function runPhase(phase: PhaseResult['phase'], dir: string, cacheDir: string, imageSize: number): Promise<PhaseResult> {
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  const started = performance.now()
  const cpu = process.cpuUsage()
  const at = (): number => (performance.now() - started) / 1000
  let scanDoneAt: number | null = null
  let cacheAt: number | null = null
  let decodeSeen = false
  const dataset = await loadDataset(
    dir,
    { imageSize },
    {
      cacheDir,
      onProgress: (p) => {
        if (scanDoneAt === null && p.phase !== 'scan') scanDoneAt = at()
        if (p.phase === 'decode') decodeSeen = true
        else if (p.phase === 'cache' && decodeSeen && cacheAt === null) cacheAt = at()
      },
    },
  )
  const seconds = at()
  const used = process.cpuUsage(cpu)
  delay.disable()
  return {
    phase,
    seconds,
    images: dataset.labels.length,
    fromCache: dataset.fromCache,
    cpuSeconds: (used.user + used.system) / 1e6,
    scanDoneAt,
    cacheAt,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    maxEventLoopDelayMs: delay.max / 1e6,
    p99EventLoopDelayMs: delay.percentile(99) / 1e6,
  }
}

function runPhaseInChild(phase: PhaseResult['phase'], dir: string, cacheDir: string, imageSize: number): PhaseResult {
  const self = fileURLToPath(import.meta.url)
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', self, '--phase', phase, '--dir', dir, '--cache-dir', cacheDir, '--image-size', String(imageSize)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  )
  if (child.status !== 0) throw new Error(`${phase} phase failed (exit ${child.status})`)
  return JSON.parse(child.stdout) as PhaseResult
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: path.join(tmpdir(), 'sagan-bench-fashion-mnist') },
      'image-size': { type: 'string', default: '32' },
      phase: { type: 'string' },
      'cache-dir': { type: 'string' },
    },
  })
  const dir = path.resolve(values.dir)
  const imageSize = Number(values['image-size'])
  if (values.phase) {
    const result = await runPhase(values.phase as PhaseResult['phase'], dir, values['cache-dir']!, imageSize)
    process.stdout.write(JSON.stringify(result))
    return
  }

  if (!existsSync(dir)) {
    console.log(`Writing the full Fashion-MNIST folder to ${dir} (once) ...`)
    await buildFashionMnistFolder({ out: dir, all: true })
  }
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'sagan-bench-cache-'))
  try {
    console.log(
      `${new Date().toISOString()} ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}, ` +
        `load average ${loadavg()[0].toFixed(1)}; image size ${imageSize}`,
    )
    for (const phase of ['cold', 'warm'] as const) {
      const r = runPhaseInChild(phase, dir, cacheDir, imageSize)
      const marks = [r.scanDoneAt && `scan done at ${r.scanDoneAt.toFixed(2)} s`, r.cacheAt && `cache write from ${r.cacheAt.toFixed(2)} s`]
      console.log(
        `${phase}: ${r.images} images in ${r.seconds.toFixed(2)} s = ${(r.images / r.seconds).toFixed(0)} images/s ` +
          `(CPU ${r.cpuSeconds.toFixed(1)} s = ${((1000 * r.cpuSeconds) / r.images).toFixed(2)} ms per image; ${marks.filter(Boolean).join(', ')}), ` +
          `peak RSS ${r.peakRssMiB.toFixed(0)} MiB, main-thread stall longest ${r.maxEventLoopDelayMs.toFixed(0)} ms, p99 ${r.p99EventLoopDelayMs.toFixed(0)} ms, fromCache=${r.fromCache}`,
      )
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true })
  }
}

await main()
