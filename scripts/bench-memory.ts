// npm run bench:memory [-- --iters 1000 --every 50 --backend wasm --replicas auto|N --json]
// Memory over a long run in ONE trainer (issue 9: tf.memory().numTensors flat,
// resident memory growth < 5% over 1000 iterations). Trains on the demo
// dataset (Fashion-MNIST, 32 px grey, 10 classes) as the worker does: a batch
// from the sampler per step, a sample sheet (raw + EMA weights) every
// --sheet-every steps, a serialized checkpoint every --checkpoint-every steps.
// Every --every iterations it records tf.memory() (tensors, bytes), the wasm
// heap size, and the process's RSS and V8 heap after a full GC.
//
// Config: the quick preset's architecture at the smallest width (ch 4: 16
// channels per layer) and batch 16, so 1000 iterations fit in minutes on 2
// cores. Every kind of layer still runs: self-attention in G (32x32) and D
// (16x16), class-conditional BN in G and the projection head in D (10
// classes), spectral norm on G and D (power iteration updates), Adam on both,
// and EMA (startStep 200: copy before, decay 0.999 after). Replicas train as
// in the studio ('auto': one per core on wasm); RSS then covers all of them,
// tf.memory() is the primary's, and each checkpoint checks they are in lockstep.
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { runInNewContext } from 'node:vm'
import { setFlagsFromString } from 'node:v8'
import * as tf from '@tensorflow/tfjs-core'
import { type BackendPreference, buildRunConfig } from '../src-shared/run-config'
import { createSampler, gatherBatch, loadDataset } from '../src-main/data'
import { initBackend } from '../src-main/engine/backend'
import { SHEET_PER_CLASS } from '../src-main/engine/fixed-latents'
import { benchReplicas } from '../src-main/engine/testing/replica-from-source'
import { SaganTrainer } from '../src-main/engine/trainer'
import { demoDatasetDir } from '../src-main/studio/resources'

const { values: args } = parseArgs({
  options: {
    iters: { type: 'string', default: '1000' },
    every: { type: 'string', default: '50' },
    'sheet-every': { type: 'string', default: '100' },
    'checkpoint-every': { type: 'string', default: '250' },
    'baseline-iter': { type: 'string', default: '100' },
    ch: { type: 'string', default: '4' },
    batch: { type: 'string', default: '16' },
    backend: { type: 'string', default: 'wasm' },
    replicas: { type: 'string', default: 'auto' },
    json: { type: 'boolean', default: false },
  },
})

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const iters = Number(args.iters)
const every = Number(args.every)
const sheetEvery = Number(args['sheet-every'])
const checkpointEvery = Number(args['checkpoint-every'])
const baselineIter = Number(args['baseline-iter'])
const log = (s: string) => {
  if (!args.json) console.log(s)
}

const info = await initBackend(args.backend as BackendPreference)
const dataset = await loadDataset(demoDatasetDir(), { imageSize: 32 }, { cacheDir: join(tmpdir(), 'sagan-bench-memory-cache') })
const config = buildRunConfig('quick', 'sagan', {
  gCh: Number(args.ch),
  dCh: Number(args.ch),
  batchSize: Number(args.batch),
  numClasses: dataset.classNames.length,
  channels: dataset.channels,
  steps: iters,
  seed: 1,
  ema: { startStep: 200 },
})
const data = { numClasses: dataset.classNames.length, classNames: dataset.classNames, imageSize: 32, channels: dataset.channels }
const trainer = await SaganTrainer.create(config, data)
const replicas = await benchReplicas(trainer, data, info.name, args.replicas!)
const sampler = createSampler({ labels: dataset.labels, batchSize: config.batchSize, seed: config.seed, classBalanced: false })
const nextBatch = () => {
  const indices = sampler.next()
  return { images: gatherBatch(dataset, indices), labels: indices.map((i) => dataset.labels[i]) }
}

function wasmHeapBytes(): number | null {
  const module = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm
  return module?.HEAPU8 ? module.HEAPU8.buffer.byteLength : null
}

interface Row {
  iter: number
  numTensors: number
  tensorMiB: number
  wasmHeapMiB: number | null
  rssMiB: number
  v8HeapMiB: number
  externalMiB: number
  msPerIter: number
}
const MiB = 1024 * 1024
const rows: Row[] = []
const record = (iter: number, msPerIter: number) => {
  gc()
  const m = tf.memory()
  const p = process.memoryUsage()
  const heap = wasmHeapBytes()
  const row: Row = {
    iter,
    numTensors: m.numTensors,
    tensorMiB: m.numBytes / MiB,
    wasmHeapMiB: heap === null ? null : heap / MiB,
    rssMiB: p.rss / MiB,
    v8HeapMiB: p.heapUsed / MiB,
    externalMiB: (p.external + p.arrayBuffers) / MiB,
    msPerIter,
  }
  rows.push(row)
  if (!args.json) {
    const f = (x: number | null, d = 1) => (x === null ? '-' : x.toFixed(d)).padStart(9)
    console.log(
      `${String(iter).padStart(5)} ${String(row.numTensors).padStart(8)} ${f(row.tensorMiB)} ${f(row.wasmHeapMiB)} ${f(row.rssMiB)} ${f(row.v8HeapMiB)} ${f(row.externalMiB)} ${f(row.msPerIter, 0)}`,
    )
  }
}

log(`replicas: ${replicas.plan.count} (${replicas.plan.reason})`)
log(
  `backend ${info.name}; config: 32 px, ${dataset.channels} channel(s), ${config.numClasses} classes, ch ${config.gCh} (${4 * config.gCh} channels per layer), batch ${config.batchSize}, attention G ${config.gAttention} D ${config.dAttention} (${config.attentionVariant}), SN G ${config.snG} D ${config.snD}, EMA from step ${config.ema.startStep}`,
)
log(`sheet (raw + EMA, ${SHEET_PER_CLASS} per class) every ${sheetEvery}, checkpoint (getState + serialize) every ${checkpointEvery}`)
log(' iter  tensors tensorMiB   heapMiB    rssMiB     v8MiB    extMiB  ms/iter')
const started = performance.now()
record(0, 0)
let windowStart = performance.now()
let sheets = 0
let checkpoints = 0
let checkpointBytes = 0
for (let i = 1; i <= iters; i++) {
  const result = await replicas.trainStep([nextBatch()])
  if (result.nonFinite) throw new Error(`non-finite at step ${result.step}: ${result.nonFinite}`)
  if (i % sheetEvery === 0) {
    const { z, labels } = trainer.fixedLatents(SHEET_PER_CLASS, config.seed)
    await trainer.sample(z, labels, 'raw')
    await trainer.sample(z, labels, 'ema')
    sheets++
  }
  if (i % checkpointEvery === 0) {
    await replicas.verifyLockstep()
    checkpointBytes = SaganTrainer.serializeState(await trainer.getState()).byteLength
    checkpoints++
  }
  if (i % every === 0) {
    record(i, (performance.now() - windowStart) / every)
    windowStart = performance.now()
  }
}
const totalSeconds = (performance.now() - started) / 1000
await replicas.dispose()
trainer.dispose()
gc()
const afterDispose = tf.memory().numTensors

const first = rows[0]
const base = rows.find((r) => r.iter === baselineIter) ?? rows[1]
const last = rows[rows.length - 1]
const growth = (a: number, b: number) => ((b - a) / a) * 100
const afterWarmup = rows.filter((r) => r.iter >= base.iter)
const summary = {
  backend: info.name,
  config: {
    ch: config.gCh,
    batchSize: config.batchSize,
    channels: dataset.channels,
    numClasses: config.numClasses,
    gAttention: config.gAttention,
    dAttention: config.dAttention,
    emaStartStep: config.ema.startStep,
  },
  iters,
  totalSeconds,
  sheets,
  checkpoints,
  checkpointMiB: checkpointBytes / MiB,
  numTensors: {
    first: first.numTensors,
    atBaseline: base.numTensors,
    last: last.numTensors,
    min: Math.min(...afterWarmup.map((r) => r.numTensors)),
    max: Math.max(...afterWarmup.map((r) => r.numTensors)),
    afterDispose,
  },
  rssGrowthPercent: growth(base.rssMiB, last.rssMiB),
  rssMiB: { atBaseline: base.rssMiB, last: last.rssMiB, maxAfterBaseline: Math.max(...afterWarmup.map((r) => r.rssMiB)) },
  wasmHeapMiB: { atBaseline: base.wasmHeapMiB, last: last.wasmHeapMiB },
  v8HeapMiB: { atBaseline: base.v8HeapMiB, last: last.v8HeapMiB },
  baselineIter: base.iter,
  rows,
}
if (args.json) console.log(JSON.stringify(summary))
else {
  const s = summary
  console.log(
    `\n${iters} iterations in ${totalSeconds.toFixed(0)} s (${((totalSeconds * 1000) / iters).toFixed(0)} ms/iter incl. ${sheets} sheets and ${checkpoints} checkpoints of ${s.checkpointMiB.toFixed(1)} MiB)`,
  )
  console.log(
    `numTensors: first ${s.numTensors.first}, at ${base.iter} ${s.numTensors.atBaseline}, last ${s.numTensors.last} (min ${s.numTensors.min}, max ${s.numTensors.max} from ${base.iter} on); after dispose ${afterDispose}`,
  )
  console.log(
    `RSS: ${s.rssMiB.atBaseline.toFixed(1)} MiB at ${base.iter} -> ${s.rssMiB.last.toFixed(1)} MiB at ${iters}: ${s.rssGrowthPercent >= 0 ? '+' : ''}${s.rssGrowthPercent.toFixed(2)}% (max ${s.rssMiB.maxAfterBaseline.toFixed(1)} MiB)`,
  )
  console.log(
    `wasm heap: ${s.wasmHeapMiB.atBaseline?.toFixed(1) ?? '-'} -> ${s.wasmHeapMiB.last?.toFixed(1) ?? '-'} MiB; V8 heap used ${s.v8HeapMiB.atBaseline.toFixed(1)} -> ${s.v8HeapMiB.last.toFixed(1)} MiB`,
  )
}
