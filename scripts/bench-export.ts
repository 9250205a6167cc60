// How quick sheet export is: a real run on the demo set (quick preset, a few
// steps), then exportSheet through the studio's door as the UI calls it.
// The first call starts the inspection worker and loads the checkpoint; the
// export dialog's later previews reuse it. Needs `npm run build` (workers
// run from the bundle).
//
//   npm run bench:export [-- --repeat 3]
import { parseArgs } from 'node:util'
import type { SheetOptions, SheetResult } from '../src-shared/export'
import { tempStudio } from '../src-main/testing/studio-fixture'

const { values: args } = parseArgs({ options: { repeat: { type: 'string', default: '3' } } })
const repeat = Number(args.repeat)
const studio = tempStudio()
try {
  const run = await studio.calls.startRun({
    datasetPath: 'demo',
    name: 'bench export',
    overrides: { steps: 4, batchSize: 8, checkpointEvery: { steps: 2 }, sampleEvery: 100, evalEvery: 0 },
  })
  if ((await studio.calls.waitForRun(run.id)).status !== 'completed') throw new Error('the benchmark run did not complete')
  const cases: [string, SheetOptions][] = [
    ['grid 10 classes x 8 (first call: worker start)', {}],
    ['grid 10 classes x 8', {}],
    ['grid 3 classes x 4, another seed', { classes: [1, 7, 8], perClass: 4, seed: 5 }],
    ['grid 10 x 16, truncation 0.5, WebP', { perClass: 16, truncation: 0.5, format: 'webp' }],
    ['interpolation 10 classes x 8 frames', { kind: 'interp' }],
    ['timeline 10 classes x 2 checkpoints (loads each)', { kind: 'timeline' }],
  ]
  console.log(`${'sheet'.padEnd(50)} ${'median ms'.padStart(10)} ${'size'.padStart(12)} ${'bytes'.padStart(9)}`)
  for (const [label, options] of cases) {
    const times: number[] = []
    let last: Pick<SheetResult, 'width' | 'height' | 'bytes'> = { width: 0, height: 0, bytes: new Uint8Array() }
    // The first case is timed once: only the first call pays for the worker.
    for (let i = 0; i < (label.includes('first call') ? 1 : repeat); i++) {
      const t0 = performance.now()
      last = await studio.calls.exportSheet(run.id, options)
      times.push(performance.now() - t0)
    }
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]
    console.log(
      `${label.padEnd(50)} ${median.toFixed(0).padStart(10)} ${`${last.width}x${last.height}`.padStart(12)} ${String(last.bytes.byteLength).padStart(9)}`,
    )
  }
} finally {
  await studio.dispose()
}
