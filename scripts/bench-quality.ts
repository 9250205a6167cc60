// Sample quality after a training budget: trains the built-in demo dataset (1 200 Fashion-MNIST
// images, 10 classes) through the studio's own service, session and workers, and prints every
// evaluation's FID, intra-FID, KID and class agreement with the features and sample counts they
// were computed with, then writes a sample sheet of the best checkpoint.
//
//   npm run bench:quality -- --steps 800 [--seed 1] [--preset quick] [--ablation sagan]
//                            [--set gCh=16 --set lrG=2e-4 --set ema.startStep=200 ...]
//   npm run bench:quality -- --minutes 15 ...
//
// --set KEY=VALUE overrides one run-config field (VALUE is JSON, else a string; dots reach into
// ema.* and checkpointEvery.*). --data-dir keeps the studio database; by default a folder under
// the system temp dir, reused so every candidate is measured with the same cached extractor.
// The machine's load average is printed with each evaluation: wall times are only comparable
// between runs at similar load; compare candidates by step.
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { MetricValue } from '../src-shared/metrics'
import { formatBest, metricLabel } from '../src-shared/metrics'
import { ABLATIONS, PRESETS, type AblationName, type PresetName } from '../src-shared/run-config'
import { openStudio } from '../src-main/studio/open-studio'

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string' },
    minutes: { type: 'string' },
    seed: { type: 'string', default: '1' },
    preset: { type: 'string', default: 'quick' },
    ablation: { type: 'string', default: 'sagan' },
    set: { type: 'string', multiple: true, default: [] },
    name: { type: 'string' },
    'data-dir': { type: 'string', default: join(tmpdir(), 'sagan-bench-quality') },
    out: { type: 'string', default: '.' },
  },
})

function fail(message: string): never {
  console.error(`bench:quality: ${message}`)
  process.exit(2)
}

if (!(args.preset! in PRESETS)) fail(`--preset ${args.preset}: choose one of ${Object.keys(PRESETS).join(', ')}`)
if (!(args.ablation! in ABLATIONS)) fail(`--ablation ${args.ablation}: choose one of ${Object.keys(ABLATIONS).join(', ')}`)
const minutes = args.minutes === undefined ? undefined : Number(args.minutes)
if (minutes !== undefined && !(minutes > 0)) fail(`--minutes ${args.minutes}: expected a number above 0`)
const steps = args.steps === undefined ? undefined : Number(args.steps)
if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) fail(`--steps ${args.steps}: expected a whole number above 0`)
if (steps === undefined && minutes === undefined) fail('give --steps N or --minutes M')

/** "ema.startStep=200" -> { ema: { startStep: 200 } } merged into `into`. */
function applySetting(into: Record<string, unknown>, setting: string): void {
  const eq = setting.indexOf('=')
  if (eq < 1) fail(`--set ${setting}: expected KEY=VALUE`)
  const path = setting.slice(0, eq).split('.')
  const raw = setting.slice(eq + 1)
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    value = raw
  }
  let node = into
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>
  node[path.at(-1)!] = value
}

const overrides: Record<string, unknown> = { seed: Number(args.seed) }
for (const s of args.set!) applySetting(overrides, s)
// A time budget trains until stopped; the step count only bounds it.
overrides.steps = steps ?? 1_000_000

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')
const dataDir = resolve(args['data-dir']!)
mkdirSync(dataDir, { recursive: true })
const studio = openStudio({ dataDir, host: 'browser' })
console.log(`bench:quality  data folder ${dataDir}  load average (1/5/15 min) ${load()}`)

const run = await studio.calls.startRun({
  datasetPath: 'demo',
  preset: args.preset as PresetName,
  ablation: args.ablation as AblationName,
  name: args.name ?? `bench:quality ${args.set!.join(' ') || 'defaults'}`,
  overrides,
})
const { config } = await studio.calls.getRun(run.id)
console.log(
  `run ${run.id}  preset ${args.preset} / ${args.ablation}  budget ${steps === undefined ? '' : `${steps} steps`}${minutes === undefined ? '' : ` ${minutes} min`}`,
)
console.log(`config ${JSON.stringify(config)}`)

const started = Date.now()
const seconds = () => ((Date.now() - started) / 1000).toFixed(0)
const pick = (values: MetricValue[], name: MetricValue['name']) => values.find((v) => v.name === name)
const show = (v: MetricValue | undefined, digits: number) => (v ? `${v.value.toFixed(digits)}${v.std === undefined ? '' : ` ± ${v.std.toFixed(digits)}`}` : '-')
let labelled = false
let lastMark = 0

studio.events.subscribe((name, payload) => {
  const [event] = payload as [{ runId?: string; id?: string }]
  if ((event.runId ?? event.id) !== run.id) return
  if (name === 'runProgress') {
    // Progress arrives about once a second, not every step: report each 50-step mark once.
    const p = payload[0] as { step: number; imagesPerSecond: number }
    if (Math.floor(p.step / 50) > lastMark) {
      lastMark = Math.floor(p.step / 50)
      console.log(`  step ${p.step}  ${seconds()} s  ${p.imagesPerSecond.toFixed(1)} img/s  load ${load()}`)
    }
  }
  if (name !== 'metricComputed') return
  const m = payload[0] as { step: number; values: MetricValue[]; warnings: string[] }
  const fid = pick(m.values, 'fid')
  if (!labelled && fid) {
    labelled = true
    for (const n of ['fid', 'intra_fid', 'kid', 'class_agreement', 'near_duplicate_fraction', 'nearest_real_ratio'] as const) {
      const v = pick(m.values, n)
      if (v) console.log(`  ${n}: ${metricLabel(v)}; ${v.nFake} generated vs ${v.nReal} real; ${v.extractorDetail ?? ''}`)
    }
  }
  console.log(
    `EVAL step ${m.step}  wall ${seconds()} s  FID ${show(fid, 3)}  intra-FID ${show(pick(m.values, 'intra_fid'), 3)}  ` +
      `KID ${show(pick(m.values, 'kid'), 4)}  class agreement ${show(pick(m.values, 'class_agreement'), 3)}  ` +
      `near-duplicate grid pairs ${show(pick(m.values, 'near_duplicate_fraction'), 3)}  nearest-real ratio ${show(pick(m.values, 'nearest_real_ratio'), 3)}  load ${load()}`,
  )
  for (const w of m.warnings) console.log(`  warning: ${w}`)
})

if (minutes !== undefined) setTimeout(() => void studio.calls.stopRun(run.id).catch(() => undefined), minutes * 60_000).unref()
const final = await studio.calls.waitForRun(run.id)
const status = final.status
console.log(`${status} at step ${final.step} after ${seconds()} s (training time ${(final.durationMs / 1000).toFixed(0)} s)  load ${load()}`)
console.log(final.best ? `best: ${formatBest(final.best, 3)}` : 'best: no evaluation finished')

const sheet = await studio.calls.exportSheet(run.id, { kind: 'grid', format: 'png' })
const out = resolve(args.out!, `bench-quality-${run.id}-step${sheet.steps[0]}.png`)
writeFileSync(out, sheet.bytes)
console.log(`sheet (default checkpoint, step ${sheet.steps[0]}, ${sheet.weights} weights): ${out}`)
await studio.close()
