import * as tf from '@tensorflow/tfjs-core'
import { test } from 'vitest'
import { buildRunConfig } from '../../src-shared/run-config'
import { initBackend } from './backend'
import { SaganTrainer } from './trainer'
test('smoke', async () => {
  await initBackend('wasm')
  for (const [ch, b] of [[8, 8], [16, 32]]) {
  const config = buildRunConfig('quick', 'sagan', { gCh: ch, dCh: ch, batchSize: b, numClasses: 10, channels: 1 })
  const t0 = Date.now()
  const tr = await SaganTrainer.create(config, { numClasses: 10, classNames: [], imageSize: 32, channels: 1 })
  console.log('create ms', Date.now() - t0, tf.memory().numTensors)
  const images = new Uint8Array(b * 32 * 32).map((_, i) => (i * 37) % 256)
  const labels = new Int32Array(b).map((_, i) => i % 10)
  for (let i = 0; i < 6; i++) {
    const t = Date.now()
    const r = tr.trainStep({ images, labels })
    console.log(ch, b, JSON.stringify(r), Date.now() - t, 'ms', tf.memory().numTensors)
  }
  const s = await tr.sample(tr.fixedLatents(1, 3).z, tr.fixedLatents(1, 3).labels, 'ema')
  console.log('sample', s.length, s.slice(0, 10))
  const a = await tr.attentionMap(tr.fixedLatents(1, 3).z.subarray(0, 128), 2, { x: 5, y: 9 }, 'raw')
  console.log('att', a.width, a.height, a.layer, a.map.reduce((x, y) => x + y, 0))
  console.log(tr.spectralNorms().slice(0, 4))
  tr.dispose()
  console.log('after dispose', tf.memory().numTensors)
  }
})
