// npm run bench:vs-torch [-- --iters 10 --warmup 2 --only fixed|quick --replicas auto|N]
// Runs bench-train.ts and the PyTorch peer (scripts/torch/sagan_peer.py, same
// architecture, CPU, 2 threads) on the same settings and prints them side by side.
// tfjs trains as the studio does: data-parallel replicas, one per core on wasm
// ('auto'; --replicas 1 for a single trainer). Where a hardware WebGPU adapter
// is present, webgpu rows follow (one trainer on the GPU) beside the same PyTorch row.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: { iters: { type: 'string', default: '10' }, warmup: { type: 'string', default: '2' }, only: { type: 'string' }, replicas: { type: 'string', default: 'auto' } },
})
// Debian's python3-torch lives under /usr/bin/python3 (a pyenv shim may shadow it on PATH).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'
const here = new URL('.', import.meta.url).pathname

function run(cmd: string, argv: string[]): string {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 24 })
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`)
  return r.stdout
}

const timing = ['--iters', args.iters!, '--warmup', args.warmup!]
const benchTrain = (extra: string[]) =>
  run(process.execPath, ['--import', `${here}tfjs-resolve-hook.mjs`, '--import', 'tsx', `${here}bench-train.ts`, '--json', ...extra, ...timing, ...(args.only ? ['--only', args.only] : [])])
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
// What the studio's 'auto' trains on, then webgpu on its own unless auto already took it (a hardware adapter).
const auto = benchTrain(['--backend', 'auto', '--replicas', args.replicas!])
const tookGpu = auto.some((t) => String(t.engine).startsWith('tfjs-webgpu'))
const tfjsResults = [...auto, ...(tookGpu ? [] : benchTrain(['--backend', 'webgpu', '--replicas', '1']))]

const torchByConfig = new Map<string, { engine: string; msPerIter: number; imagesPerSecond: number; peakRssMiB: number }>()
function torchPeer(s: { imageSize: number; channels: number; numClasses: number; ch: number; batchSize: number; zDim: number; gAttention: number[]; dAttention: number[]; attentionVariant: string }) {
  const key = JSON.stringify(s)
  const cached = torchByConfig.get(key)
  if (cached) return cached
  const result = JSON.parse(
    run(PYTHON, [
      `${here}torch/sagan_peer.py`, '--json', ...timing, '--threads', '2',
      '--image-size', String(s.imageSize), '--channels', String(s.channels), '--num-classes', String(s.numClasses),
      '--ch', String(s.ch), '--batch', String(s.batchSize), '--z-dim', String(s.zDim),
      '--g-attention', s.gAttention.join(','), '--d-attention', s.dAttention.join(','), '--variant', s.attentionVariant,
    ]).trim(),
  )
  torchByConfig.set(key, result)
  return result
}

const rows: string[][] = [['config', 'engine', 'ms/iter', 'img/s', 'GFLOP/s', 'peak RSS MiB']]
const notes: string[] = []
for (const t of tfjsResults) {
  if (t.skipped) {
    notes.push(`webgpu rows: none (${t.skipped})`)
    continue
  }
  const s = t.settings
  const torch = torchPeer(s)
  const gflops = (t.gflopsPerSecond * t.msPerIter) / torch.msPerIter
  rows.push([t.config, t.adapter ? `${t.engine} (${t.adapter})` : t.engine, t.msPerIter.toFixed(0), t.imagesPerSecond.toFixed(2), t.gflopsPerSecond.toFixed(2), t.peakRssMiB.toFixed(0)])
  rows.push(['', torch.engine, torch.msPerIter.toFixed(0), torch.imagesPerSecond.toFixed(2), gflops.toFixed(2), torch.peakRssMiB.toFixed(0)])
  rows.push(['', `ratio tfjs/torch (time): ${(t.msPerIter / torch.msPerIter).toFixed(2)}x`, '', '', '', ''])
  console.error(`${t.config}: ${JSON.stringify(s)}`)
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '))
for (const note of notes) console.log(note)
