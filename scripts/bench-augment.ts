// npm run bench:augment [-- --steps 150 --window 25 --seed 1 --width 8 --batch 32]
// The measurement behind AUGMENT_BELOW_IMAGES: trains the quick preset on the
// built-in 1 200-image demo (Fashion-MNIST) twice from the same seed, without and
// with DiffAugment (--width and --batch shrink the quick preset's model when the
// machine is busy), and prints ADA's overfitting signal r_t = E[sign(D(real))]
// averaged over windows of steps (0: D cannot tell real from fake; 1: it is sure
// of every training image, i.e. it has memorised the set; ADA's target is 0.6).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildRunConfig } from '../src-shared/run-config'
import { loadDataset } from '../src-main/data'
import { initBackend } from '../src-main/engine/backend'
import { Rng } from '../src-main/random'
import { SaganTrainer } from '../src-main/engine/trainer'
import { demoDatasetDir } from '../src-main/studio/resources'

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '150' },
    window: { type: 'string', default: '25' },
    seed: { type: 'string', default: '1' },
    width: { type: 'string', default: '8' },
    batch: { type: 'string', default: '32' },
  },
})
const [steps, window, seed, width, batch] = [args.steps, args.window, args.seed, args.width, args.batch].map(Number)

const info = await initBackend('auto')
const dataset = await loadDataset(demoDatasetDir(), { imageSize: 32 }, { cacheDir: mkdtempSync(join(tmpdir(), 'bench-augment-')) })
const n = dataset.labels.length
const pixels = dataset.imageSize * dataset.imageSize * dataset.channels
console.log(
  `backend ${info.name}; demo dataset: ${n} images, ${dataset.classNames.length} classes; quick preset at width ${width}, batch ${batch}; ${steps} steps per run, seed ${seed}`,
)

const data = { numClasses: dataset.classNames.length, classNames: dataset.classNames, imageSize: 32, channels: dataset.channels }
const curves: Record<string, number[]> = {}
for (const policy of ['off', 'diffaugment'] as const) {
  const config = buildRunConfig('quick', 'sagan', {
    numClasses: data.numClasses,
    channels: data.channels,
    seed,
    steps,
    gCh: width,
    dCh: width,
    batchSize: batch,
    augment: { policy },
  })
  const trainer = await SaganTrainer.create(config, data)
  const order = new Rng(seed + 1000) // the same batches for both runs
  const signs: number[] = []
  const t0 = performance.now()
  for (let s = 0; s < steps; s++) {
    const picks = Array.from({ length: config.batchSize }, () => order.int(n))
    const images = new Uint8Array(picks.length * pixels)
    picks.forEach((p, i) => images.set(dataset.images.subarray(p * pixels, (p + 1) * pixels), i * pixels))
    const r = await trainer.trainStep({ images, labels: Int32Array.from(picks, (p) => dataset.labels[p]) })
    signs.push(r.realSign)
    process.stdout.write(`\r${policy}: step ${s + 1}/${steps}, ${((performance.now() - t0) / 1000 / (s + 1)).toFixed(1)} s/step   `)
  }
  trainer.dispose()
  curves[policy] = signs
  console.log()
}
console.log(`\nr_t = E[sign(D(real))], mean over ${window} steps`)
console.log('steps        off    diffaugment')
for (let from = 0; from < steps; from += window) {
  const mean = (xs: number[]) => xs.slice(from, from + window).reduce((a, b) => a + b, 0) / Math.min(window, steps - from)
  console.log(
    `${`${from + 1}-${Math.min(steps, from + window)}`.padEnd(12)} ${mean(curves.off).toFixed(3).padStart(6)} ${mean(curves.diffaugment).toFixed(3).padStart(11)}`,
  )
}
