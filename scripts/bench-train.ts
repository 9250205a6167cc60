// npm run bench:train [-- --iters 10 --warmup 2 --only fixed|quick --backend auto|webgpu|wasm|... --replicas auto|N --json]
// Times full training steps (nDis D updates + 1 G update + EMA) of the SAGAN
// engine on synthetic images for two configs: the fixed comparison config
// (32 px, 10 classes, 64 channels per layer, batch 64: the environment probe's
// "ch 64"; in BigGAN's 32 px widths that is base width ch = 16) and the quick preset.
// --replicas: data-parallel replicas as the studio runs them ('auto': one per
// core on wasm/cpu; 1: a single trainer). --backend webgpu times the GPU (Dawn:
// Vulkan, Metal or D3D12, else OpenGL ES); a software adapter (llvmpipe,
// SwiftShader) says nothing about GPU speed, so it is refused unless
// --allow-software (with --json the refusal is a {"skipped": reason} line).
import { parseArgs } from 'node:util'
import { type BackendPreference, type RunConfig, adapterLabel, buildRunConfig } from '../src-shared/run-config'
import { initBackend } from '../src-main/engine/backend'
import { trainingFlopsPerStep } from '../src-main/engine/cost'
import { benchReplicas } from '../src-main/engine/testing/replica-from-source'
import { SaganTrainer } from '../src-main/engine/trainer'

const { values: args } = parseArgs({
  options: {
    iters: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    only: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    replicas: { type: 'string', default: 'auto' },
    'allow-software': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
})

export const BENCH_CONFIGS: Record<string, RunConfig> = {
  fixed: buildRunConfig('quick', 'sagan', { gCh: 16, dCh: 16, batchSize: 64, numClasses: 10, channels: 3, seed: 1 }),
  quick: buildRunConfig('quick', 'sagan', { numClasses: 10, channels: 3, seed: 1 }),
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const iters = Number(args.iters)
const warmup = Number(args.warmup)
if (iters < 10 && !args.json) console.log(`note: --iters ${iters} is below the 10 timed steps a stable median needs`)
const info = await initBackend(args.backend as BackendPreference, { webgpu: true })
if (!args.json) console.log(`backend: ${info.name}${info.skipped.length ? ` (skipped: ${info.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : ''}`)
const adapter = info.adapter ? adapterLabel(info.adapter) : undefined
if (adapter && !args.json) console.log(`adapter: ${adapter}`)
const refusal =
  args.backend === 'webgpu' && info.name !== 'webgpu'
    ? `webgpu did not load (${info.skipped.find((s) => s.name === 'webgpu')?.reason ?? 'unknown reason'})`
    : info.adapter?.software && !args['allow-software']
      ? `the only WebGPU adapter is a software one (${adapter}): its speed says nothing about a GPU; pass --allow-software to time it anyway`
      : null
if (refusal) {
  console.log(args.json ? JSON.stringify({ skipped: refusal }) : `not timed: ${refusal}`)
  process.exit(0)
}

for (const [name, config] of Object.entries(BENCH_CONFIGS)) {
  if (args.only && args.only !== name) continue
  const { imageSize: s, channels: c, batchSize: b, numClasses } = config
  const data = { numClasses, classNames: [], imageSize: s, channels: c }
  const trainer = await SaganTrainer.create(config, data)
  const replicas = await benchReplicas(trainer, data, info.name, args.replicas!)
  const batch = {
    images: Uint8Array.from({ length: b * s * s * c }, (_, i) => (i * 2654435761) >>> 24),
    labels: Int32Array.from({ length: b }, (_, i) => i % numClasses),
  }
  const batches = Array.from({ length: config.nDis }, () => batch)
  const times: number[] = []
  for (let i = 0; i < warmup + iters; i++) {
    const t0 = performance.now()
    await replicas.trainStep(batches)
    if (i >= warmup) times.push(performance.now() - t0)
    if (!args.json) process.stdout.write(`\r${name}: step ${i + 1}/${warmup + iters} (${((performance.now() - t0) / 1000).toFixed(1)} s)   `)
  }
  await replicas.dispose()
  trainer.dispose()
  const ms = median(times)
  const result = {
    engine: `tfjs-${info.name}${replicas.plan.count > 1 ? ` x${replicas.plan.count}` : ''}`,
    ...(adapter ? { adapter } : {}),
    replicas: replicas.plan.count,
    replicasReason: replicas.plan.reason,
    config: name,
    settings: {
      imageSize: s,
      channels: c,
      numClasses,
      ch: config.gCh,
      batchSize: b,
      zDim: config.zDim,
      gAttention: config.gAttention,
      dAttention: config.dAttention,
      attentionVariant: config.attentionVariant,
    },
    msPerIter: ms,
    imagesPerSecond: (b * config.nDis * 1000) / ms,
    gflopsPerSecond: trainingFlopsPerStep(config) / (ms * 1e6),
    // maxRSS covers every thread of the process: the replicas' wasm heaps too.
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    timedIters: iters,
  }
  if (args.json) console.log(JSON.stringify(result))
  else {
    console.log(`\r${name.padEnd(6)} ${JSON.stringify(result.settings)}`)
    console.log(`       replicas: ${replicas.plan.count} (${replicas.plan.reason})`)
    console.log(
      `       ${ms.toFixed(0)} ms/iter (median of ${iters}), ${result.imagesPerSecond.toFixed(2)} img/s, ${result.gflopsPerSecond.toFixed(2)} GFLOP/s, peak RSS ${result.peakRssMiB.toFixed(0)} MiB, ${result.engine}`,
    )
  }
}
