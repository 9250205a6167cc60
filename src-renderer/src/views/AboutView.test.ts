import { render, screen } from '@testing-library/svelte'
import { afterEach, expect, it } from 'vitest'
import type { BackendReport } from '../../../src-shared/contract'
import { realStudioConnection } from '../test/real-studio'
import AboutView from './AboutView.svelte'

let cleanup: (() => void) | undefined
afterEach(() => cleanup?.())

const onGpu: BackendReport = {
  name: 'webgpu',
  skipped: [{ name: 'tensorflow-gpu', reason: "Cannot find package '@tensorflow/tfjs-node-gpu'" }],
  adapter: {
    vendor: 'nvidia',
    architecture: 'ampere',
    device: 'NVIDIA GeForce RTX 3060',
    description: 'Vulkan driver 550.54',
    api: 'native',
    software: false,
    limits: { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 32 },
  },
}

it('names the backend and its GPU: device, vendor, architecture, driver, API, hardware or software, buffer limit', async () => {
  const { studio, connection } = realStudioConnection(onGpu)
  cleanup = () => void studio.dispose()
  render(AboutView, { connection })
  expect((await screen.findByTestId('backend-name')).textContent).toBe('webgpu')
  const adapter = screen.getByTestId('backend-adapter').textContent ?? ''
  for (const text of ['NVIDIA GeForce RTX 3060', 'nvidia', 'ampere', 'Vulkan driver 550.54', 'Vulkan / Metal / D3D12', 'hardware GPU', '2.0 GiB'])
    expect(adapter).toContain(text)
  expect(screen.getByTestId('backend-skipped').textContent).toContain('tfjs-node-gpu')
})

it('says when the adapter is a software one, and shows no GPU block on a CPU backend', async () => {
  const software = {
    ...onGpu,
    adapter: {
      ...onGpu.adapter!,
      vendor: '',
      architecture: '',
      device: 'llvmpipe-llvm-15-0-6-256-bits',
      description: 'OpenGL ES 3.2 Mesa 22.3.6',
      api: 'opengles' as const,
      software: true,
    },
  }
  const first = realStudioConnection(software)
  cleanup = () => void first.studio.dispose()
  const view = render(AboutView, { connection: first.connection })
  expect((await screen.findByTestId('adapter-kind')).textContent).toMatch(/software: a CPU rasteriser/)
  expect(screen.getByTestId('backend-adapter').textContent).toContain('OpenGL ES (compatibility mode)')
  view.unmount()
  first.studio.dispose()
  const second = realStudioConnection()
  cleanup = () => void second.studio.dispose()
  render(AboutView, { connection: second.connection })
  expect((await screen.findByTestId('backend-name')).textContent).toBe('wasm')
  expect(screen.queryByTestId('backend-adapter')).toBeNull()
})
