// Cost of one training-time evaluation (generate M images, extract features, FID + KID +
// intra-FID + class agreement) and its share of training time, on this machine.
//
//   npm run bench:fid [-- --preset quick] [--samples 500,1000,2000] [--steps 6] [--fast]
//
// Training step time is measured with the engine's trainer on Fashion-MNIST (32 px, 10 classes).
// --fast trains the extractor for 1 epoch on 1000 images instead of the defaults: evaluation
// cost does not depend on how well the extractor is trained, only its one-off training cost does.
import { parseArgs } from 'node:util'
import { initBackend } from '../src-main/engine/backend'
import { fashionMnistMissing, paddedFashionMnist } from '../src-main/testing/fashion-mnist'
import { SaganTrainer } from '../src-main/engine/trainer'
import { DatasetClassifier } from '../src-main/metrics/dataset-classifier'
import { evaluate } from '../src-main/metrics/evaluate'
import { buildRealReference } from '../src-main/metrics/real-reference'
import { seededNormal } from '../src-main/random'
import { buildRunConfig, type PresetName } from '../src-shared/run-config'

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: 'quick' },
    samples: { type: 'string', default: '500,1000,2000' },
    steps: { type: 'string', default: '6' },
    fast: { type: 'boolean', default: false },
  },
})
if (fashionMnistMissing('t10k') !== null) {
  console.error('bench:fid needs Fashion-MNIST: apt-get install -y dataset-fashion-mnist')
  process.exit(1)
}
const seconds = (t0: number) => (performance.now() - t0) / 1000
const fmt = (s: number) => `${s.toFixed(2)} s`

const backend = await initBackend('auto')
console.log(`backend: ${backend.name}${backend.skipped.length ? ` (skipped: ${backend.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : ''}`)

const real = paddedFashionMnist(5000) // [5000, 32, 32, 1]
const data = { images: real.images, labels: real.labels, imageSize: 32, channels: 1 as const, numClasses: 10 }

// 1. Training step time of the GAN.
const config = buildRunConfig(args.preset as PresetName, 'sagan', { imageSize: 32, channels: 1, numClasses: 10 })
const trainer = await SaganTrainer.create(config, { numClasses: 10, classNames: [...'0123456789'], imageSize: 32, channels: 1 })
const B = config.batchSize
const batch = (s: number) => ({
  images: real.images.subarray(((s * B) % 4000) * 1024, (((s * B) % 4000) + B) * 1024),
  labels: real.labels.subarray((s * B) % 4000, ((s * B) % 4000) + B),
})
await trainer.trainStep(batch(0)) // warm-up: kernels compile on the first call
const steps = Number(args.steps)
let t0 = performance.now()
for (let s = 1; s <= steps; s++) await trainer.trainStep(batch(s))
const stepSeconds = seconds(t0) / steps
console.log(`training step (${config.preset} preset, ${config.imageSize} px, gCh ${config.gCh}, batch ${B}): ${fmt(stepSeconds)} (mean of ${steps})`)

// 2. One-off costs: extractor training and real-image statistics (cached per dataset afterwards).
t0 = performance.now()
const extractor = await DatasetClassifier.train(data, args.fast ? { epochs: 1, maxTrainImages: 1000 } : {})
console.log(`extractor training (one-off, cached): ${fmt(seconds(t0))}${args.fast ? ' [--fast: 1 epoch, 1000 images]' : ' [defaults]'}; ${extractor.detail}`)
t0 = performance.now()
const reference = await buildRealReference(extractor, data)
console.log(`real-image reference from ${reference.nReal} images (one-off, cached): ${fmt(seconds(t0))}`)

// 3. One evaluation per sample count.
console.log('\nM samples | generate | features | metrics | total  | share of training at evalEvery = 100 / 250 / 500 / 1000 steps')
const everies = [100, 250, 500, 1000]
for (const m of args.samples.split(',').map(Number)) {
  const normal = seededNormal(m)
  const z = Float32Array.from({ length: m * config.zDim }, normal)
  const labels = Int32Array.from({ length: m }, (_, i) => i % 10)
  t0 = performance.now()
  const images = await trainer.sample(z, labels, 'ema')
  const generate = seconds(t0)
  const r = await evaluate({ step: 0, extractor, real: reference, fake: { images, imageSize: 32, channels: 1, labels } })
  const total = generate + r.seconds.features + r.seconds.metrics
  const shares = everies.map((n) => `${((100 * total) / (n * stepSeconds + total)).toFixed(1)}%`)
  console.log(
    `${String(m).padStart(9)} | ${fmt(generate).padStart(8)} | ${fmt(r.seconds.features).padStart(8)} | ${fmt(r.seconds.metrics).padStart(7)} | ${fmt(total).padStart(6)} | ${shares.join(' / ')}`,
  )
}
trainer.dispose()
extractor.dispose()
