import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, expect, test } from 'vitest'
import { buildRunConfig } from '../../../src-shared/run-config'
import { initBackend } from '../backend'
import { estimateTrainingMemory } from '../memory-estimate'
import { Discriminator } from '../model/discriminator'
import { Generator } from '../model/generator'
import { ParamBuilder, ParamStore } from '../model/params'
import { Rng } from '../../random'
import { randomValues } from '../testing/numerics'
import { checkGpuBuffers } from './buffer-limits'

beforeAll(async () => {
  await initBackend('wasm')
})

const MiB = 1024 ** 2
/** Mesa's llvmpipe through OpenGL ES, as Dawn reports it (docs/environment). */
const LLVMPIPE = { maxStorageBufferBindingSize: 128 * MiB, maxBufferSize: 2048 * MiB }

test('the largest tensor named is the one a real forward pass allocates: G and D attention maps', () => {
  const config = buildRunConfig('quick', 'sagan', { gCh: 4, dCh: 4, batchSize: 2, numClasses: 10, channels: 1, attentionVariant: 'full' })
  const gs = new ParamStore('G')
  const ds = new ParamStore('D')
  const g = new Generator(new ParamBuilder(gs, new Rng(1)), config, true)
  const d = new Discriminator(new ParamBuilder(ds, new Rng(2)), config, true)
  const maps = new Map<string, number>()
  const onAttention = (layer: string, beta: tf.Tensor3D) => maps.set(layer, beta.size * 4)
  tf.tidy(() => {
    const z = tf.tensor2d(randomValues(2 * config.zDim, 3), [2, config.zDim])
    const labels = tf.tensor1d([1, 2], 'int32')
    const fake = g.apply(z, labels, { store: gs, training: true, updateSn: false, updateStats: false, onAttention })
    // D sees real and fake together: twice G's batch.
    d.apply(tf.concat([fake, fake]), tf.concat([labels, labels]), { store: ds, training: true, updateSn: false, updateStats: false, onAttention })
  })
  gs.dispose()
  ds.dispose()
  const check = checkGpuBuffers(config, LLVMPIPE)
  expect(check.largest).toEqual({ what: "G's 32x32 attention map (batch 2)", bytes: maps.get('G.attention32'), kind: 'attention' })
  expect(check.largest.bytes).toBeGreaterThan(maps.get('D.attention16')!)
  expect(checkGpuBuffers({ ...config, gAttention: [] }, LLVMPIPE).largest).toEqual({
    what: "D's 16x16 attention map (batch 4)",
    bytes: maps.get('D.attention16'),
    kind: 'attention',
  })
  expect(check.fits).toBe(true)
})

test('on webgpu a config is refused when its largest tensor passes the adapter per-buffer limit, with what to lower', () => {
  const quick = buildRunConfig('quick', 'sagan', { numClasses: 10, channels: 3 })
  expect(estimateTrainingMemory(quick, 'webgpu', { gpuLimits: LLVMPIPE })).toMatchObject({ fits: true, limitBytes: Number.POSITIVE_INFINITY })
  // 64 images of full 32x32 attention: 64 x 1024 x 1024 floats = 256 MiB in one tensor.
  const big = buildRunConfig('quick', 'sagan', { numClasses: 10, channels: 3, batchSize: 64, attentionVariant: 'full' })
  const e = estimateTrainingMemory(big, 'webgpu', { gpuLimits: LLVMPIPE })
  expect(e.fits).toBe(false)
  expect(e.gpuBuffers?.largest).toMatchObject({ what: "G's 32x32 attention map (batch 64)", bytes: 256 * MiB })
  expect(e.message).toMatch(/needs 256 MiB, more than this GPU's 128 MiB per buffer.*lower batchSize \(now 64.*attentionVariant 'pooled'.*lower resolution/)
  // Without the adapter's limits, WebGPU's guaranteed minimum applies.
  expect(estimateTrainingMemory(big, 'webgpu').gpuBuffers?.limitBytes).toBe(128 * MiB)
  // A GPU whose bindings are 4 GiB takes it.
  expect(estimateTrainingMemory(big, 'webgpu', { gpuLimits: { maxStorageBufferBindingSize: 4096 * MiB, maxBufferSize: 4096 * MiB } }).fits).toBe(true)
})
