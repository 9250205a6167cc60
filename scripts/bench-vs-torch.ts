// npm run bench:vs-torch [-- --rounds 5 --iters 10 --warmup 2 --only fixed|quick --backend auto|wasm|webgpu|... --replicas auto|N]
// Times the SAGAN step in tfjs (scripts/bench-train.ts, as the studio trains: data-parallel
// replicas, one per core on wasm) and in the PyTorch peer (scripts/torch/sagan_peer.py, same
// architecture, CPU, 2 threads) on the same settings, alternating the two engines in rounds
// (tfjs, torch, tfjs, torch, ...) so that a drift in the machine's load hits both alike. Each round
// is a fresh process per engine; it prints every round with the load average before it, then per
// config the median of each engine, the median of the per-round ratios and their spread.
// Only the median ratio of such a run is a figure to quote (docs/performance.md).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    iters: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    only: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    replicas: { type: 'string', default: 'auto' },
  },
})
const rounds = Number(args.rounds)
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`--rounds ${args.rounds}: expected a whole number from 1`)
// Debian's python3-torch lives under /usr/bin/python3 (a pyenv shim may shadow it on PATH).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'
const here = new URL('.', import.meta.url).pathname

function run(cmd: string, argv: string[]): string {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 24 })
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`)
  return r.stdout
}

interface Settings {
  imageSize: number
  channels: number
  numClasses: number
  ch: number
  batchSize: number
  zDim: number
  gAttention: number[]
  dAttention: number[]
  attentionVariant: string
}
interface Timing {
  engine: string
  msPerIter: number
  peakRssMiB: number
}
interface TfjsTiming extends Timing {
  config: string
  adapter?: string
  settings: Settings
  skipped?: string
}

const timing = ['--iters', args.iters!, '--warmup', args.warmup!]
const tfjs = (config: string): TfjsTiming => {
  const lines = run(process.execPath, [
    '--import',
    `${here}tfjs-resolve-hook.mjs`,
    '--import',
    'tsx',
    `${here}bench-train.ts`,
    '--json',
    '--only',
    config,
    '--backend',
    args.backend!,
    '--replicas',
    args.replicas!,
    ...timing,
  ])
    .split('\n')
    .filter((l) => l.startsWith('{'))
  const result = JSON.parse(lines[0]) as TfjsTiming
  if (result.skipped) throw new Error(`tfjs ${config}: ${result.skipped}`)
  return result
}
const torch = (s: Settings): Timing =>
  JSON.parse(
    run(PYTHON, [
      `${here}torch/sagan_peer.py`,
      '--json',
      ...timing,
      '--threads',
      '2',
      '--image-size',
      String(s.imageSize),
      '--channels',
      String(s.channels),
      '--num-classes',
      String(s.numClasses),
      '--ch',
      String(s.ch),
      '--batch',
      String(s.batchSize),
      '--z-dim',
      String(s.zDim),
      '--g-attention',
      s.gAttention.join(','),
      '--d-attention',
      s.dAttention.join(','),
      '--variant',
      s.attentionVariant,
    ]).trim(),
  ) as Timing

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const load1 = () => loadavg()[0]

const configs = args.only ? [args.only] : ['fixed', 'quick']
const table: string[][] = [['config', 'round', 'tfjs ms/iter', 'torch ms/iter', 'ratio', 'load before tfjs / torch']]
const summary: string[][] = [['config', 'tfjs engine', 'tfjs median', 'torch median', 'median ratio', 'ratio min-max', 'load 1 min (range)']]
for (const config of configs) {
  const ratios: number[] = []
  const tfjsMs: number[] = []
  const torchMs: number[] = []
  const loads: number[] = []
  let engine = ''
  for (let round = 1; round <= rounds; round++) {
    const loadTfjs = load1()
    const t = tfjs(config)
    const loadTorch = load1()
    const p = torch(t.settings)
    engine = t.adapter ? `${t.engine} (${t.adapter})` : t.engine
    tfjsMs.push(t.msPerIter)
    torchMs.push(p.msPerIter)
    ratios.push(t.msPerIter / p.msPerIter)
    loads.push(loadTfjs, loadTorch)
    const row = [
      config,
      String(round),
      t.msPerIter.toFixed(0),
      p.msPerIter.toFixed(0),
      `${ratios.at(-1)!.toFixed(2)}x`,
      `${loadTfjs.toFixed(2)} / ${loadTorch.toFixed(2)}`,
    ]
    table.push(row)
    console.error(`round ${round}/${rounds} ${config}: ${engine} ${row[2]} ms, ${p.engine} ${row[3]} ms, ratio ${row[4]}, load ${row[5]}`)
  }
  summary.push([
    config,
    engine,
    `${median(tfjsMs).toFixed(0)} ms`,
    `${median(torchMs).toFixed(0)} ms`,
    `${median(ratios).toFixed(2)}x`,
    `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x`,
    `${median(loads).toFixed(2)} (${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)})`,
  ])
}

const print = (rows: string[][]) => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '))
}
console.log(`each engine: median of ${args.iters} timed steps after ${args.warmup} warm-up, a fresh process per round; rounds alternate tfjs, torch`)
print(table)
console.log('')
print(summary)
