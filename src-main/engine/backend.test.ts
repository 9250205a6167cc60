import * as tf from '@tensorflow/tfjs-core'
import { expect, test } from 'vitest'
import { initBackend } from './backend'

test('auto picks wasm here and names why each tfjs-node backend was skipped', async () => {
  const info = await initBackend('auto')
  expect(info.name).toBe('wasm')
  expect(tf.getBackend()).toBe('wasm')
  expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow'])
  for (const s of info.skipped) expect(s.reason.length).toBeGreaterThan(0)
})

test('a forced preference skips the faster backends with that reason', async () => {
  const info = await initBackend('cpu')
  expect(info.name).toBe('cpu')
  expect(tf.getBackend()).toBe('cpu')
  expect(info.skipped[0].reason).toContain('preference is "cpu"')
  await initBackend('wasm')
})
