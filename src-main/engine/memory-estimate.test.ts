import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, expect, test } from 'vitest'
import { buildRunConfig } from '../../src-shared/run-config'
import { initBackend } from './backend'
import { assertFitsMemory, estimateTrainingMemory } from './memory-estimate'
import { SaganTrainer } from './trainer'

beforeAll(async () => {
  await initBackend('wasm')
})

test('parameter counts equal the sizes of the weights the trainer actually builds', async () => {
  for (const ablation of ['sagan', 'residual-instead-of-attention'] as const) {
    for (const numClasses of [0, 10]) {
      const config = buildRunConfig('quick', ablation, { gCh: 8, dCh: 8, numClasses, channels: 3 })
      const t = await SaganTrainer.create(config, { numClasses, classNames: [], imageSize: 32, channels: 3 })
      const { tensors } = await t.getState()
      const size = (prefix: string) =>
        tensors.filter((x) => x.name.startsWith(prefix) && !x.name.endsWith('.u') && !x.name.includes('.running')).reduce((n, x) => n + x.data.length, 0)
      const e = estimateTrainingMemory(config, 'wasm')
      expect(e.parameters.generator).toBe(size('G/'))
      expect(e.parameters.discriminator).toBe(size('D/'))
      t.dispose()
    }
  }
  expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0)
})

test('the paper preset does not fit the wasm heap and the message says what to lower', () => {
  const config = buildRunConfig('paper', 'sagan', { numClasses: 10 })
  expect(() => assertFitsMemory(config, 'wasm')).toThrow(
    /more than the wasm backend's 4.0 GiB: attention maps take .* drop 64 from gAttention\/dAttention.*batchSize/,
  )
})

test('the environment-doc anchors: 64 channels (ch 16) at batch 64 fits wasm, 256 channels (ch 64) does not', () => {
  const at = (ch: number) => buildRunConfig('quick', 'sagan', { gCh: ch, dCh: ch, batchSize: 64, numClasses: 10, channels: 3 })
  expect(estimateTrainingMemory(at(16), 'wasm').fits).toBe(true)
  expect(estimateTrainingMemory(at(64), 'wasm').fits).toBe(false)
  expect(estimateTrainingMemory(at(64), 'tensorflow', { machine: { totalBytes: 64 * 1024 ** 3, freeBytes: 60 * 1024 ** 3 } }).fits).toBe(true)
})

test('every replica together is checked against the machine memory on every backend', () => {
  // The issue's case: the paper preset with 16 replicas said "fits" (62 GiB in all) on a 23.5 GiB machine.
  const machine = { totalBytes: 23.5 * 1024 ** 3, freeBytes: 20 * 1024 ** 3 }
  const paper = buildRunConfig('paper', 'sagan', { numClasses: 10, replicas: 16 })
  for (const backend of ['tensorflow', 'tensorflow-gpu', 'cpu']) {
    const e = estimateTrainingMemory(paper, backend, { replicas: 16, machine })
    expect(e.machine.allReplicasBytes).toBe(e.bytes.total * 16)
    expect(e.fits).toBe(false)
    expect(e.message).toMatch(/in all \(.* for each of 16 replicas\), more than 80% of this machine's 23.5 GiB.*lower replicas \(now 16/)
  }
  expect(estimateTrainingMemory(paper, 'tensorflow', { replicas: 1, machine: { totalBytes: 256 * 1024 ** 3, freeBytes: 200 * 1024 ** 3 } }).fits).toBe(true)
})

test('a replica needs the memory of its share of the batch plus all the weights, and the advice says per replica', () => {
  const config = buildRunConfig('standard', 'sagan', { numClasses: 10, batchSize: 64 })
  const pair = estimateTrainingMemory(config, 'wasm', { replicas: 2 })
  const half = estimateTrainingMemory({ ...config, batchSize: 32 }, 'wasm')
  expect(pair.bytes).toEqual(half.bytes)
  expect(pair.replicas).toBe(2)
  const huge = buildRunConfig('paper', 'sagan', { numClasses: 10, batchSize: 64, replicas: 2 })
  expect(() => assertFitsMemory(huge, 'wasm', { replicas: 2 })).toThrow(/per replica \(2 replicas share each batch\).*raise replicas \(now 2/)
})
