import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { expect, test } from 'vitest'
import { initBackend } from './backend'

// Which backend wins depends on the machine (tfjs-node installs only where its binary downloads),
// so these hold wherever the suite runs: the first backend of the chain that loads is taken, and
// every one before it is named with a reason.
const CHAIN = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm'] as const
const TF_NAME: Record<(typeof CHAIN)[number], string> = { 'tensorflow-gpu': 'tensorflow', webgpu: 'webgpu', tensorflow: 'tensorflow', wasm: 'wasm' }

test('auto takes the first backend of the chain that loads and names why each one before it was skipped; outside the training worker webgpu is not loaded', async () => {
  const info = await initBackend('auto')
  const at = CHAIN.indexOf(info.name as (typeof CHAIN)[number])
  expect(at).toBeGreaterThanOrEqual(0)
  expect(tf.getBackend()).toBe(TF_NAME[CHAIN[at]])
  expect(info.skipped.map((s) => s.name)).toEqual(CHAIN.slice(0, at))
  for (const s of info.skipped) expect(s.reason.length).toBeGreaterThan(0)
  expect(info.name).not.toBe('webgpu')
  if (at > 1) expect(info.skipped[1].reason).toMatch(/only the training worker loads webgpu/)
  expect(info.adapter).toBeUndefined()
  await initBackend('wasm')
})

test('auto takes webgpu only on a hardware adapter; asking for webgpu by name takes any adapter and names it', async () => {
  const named = await initBackend('webgpu', { webgpu: true })
  const auto = await initBackend('auto', { webgpu: true })
  if (named.name !== 'webgpu') {
    // No adapter at all: both fall through to wasm with the same reason.
    expect(named.skipped.find((s) => s.name === 'webgpu')?.reason).toMatch(/no WebGPU adapter/)
    expect(auto.name).toBe('wasm')
  } else if (named.adapter?.software) {
    expect(named.adapter.device.length + named.adapter.description.length).toBeGreaterThan(0)
    expect(auto.name).toBe('wasm')
    expect(auto.skipped.find((s) => s.name === 'webgpu')?.reason).toMatch(/software one .*choose backend "webgpu"/)
  } else {
    expect(auto).toMatchObject({ name: 'webgpu', adapter: { software: false } })
  }
  await initBackend('wasm')
})

test('a forced preference skips the faster backends with that reason', async () => {
  const info = await initBackend('cpu')
  expect(info.name).toBe('cpu')
  expect(tf.getBackend()).toBe('cpu')
  expect(info.skipped[0].reason).toContain('preference is "cpu"')
  await initBackend('wasm')
})

test('the report says how convolutions and attention run: oneDNN on the CPU backends where native/dnnl is built, else why not', async () => {
  for (const name of ['cpu', 'wasm'] as const) {
    const info = await initBackend(name)
    expect(info.kernels).toMatch(
      existsSync(join(import.meta.dirname, '../../native/dnnl/build/Release/sagan_dnnl.node')) && process.env.SAGAN_NATIVE !== 'off'
        ? /^oneDNN/
        : new RegExp(`^the ${name} backend's own kernels: .*(not built|did not load)|SAGAN_NATIVE=off`),
    )
  }
})
