// Finds a WebGPU adapter through Dawn's Node bindings (the `webgpu` package, an
// N-API addon): the platform's own API first (Vulkan, Metal, D3D12), then
// OpenGL ES in compatibility mode, which is what a headless Linux box without
// a Vulkan driver Dawn accepts offers (Mesa's llvmpipe: docs/environment).
// Only the training worker imports this (backend.ts loads it on demand).
import type { GpuAdapterReport } from '../../../src-shared/contract'

interface FoundAdapter {
  /** The Dawn instance the adapter came from (tfjs-backend-webgpu looks for it as navigator.gpu). */
  gpu: GPU
  adapter: GPUAdapter
  report: GpuAdapterReport
  /** Dawn's WebGPU classes and constants (GPUBufferUsage, ...), which tfjs-backend-webgpu expects as globals. */
  globals: object
}

/** Names CPU rasterisers give themselves; Dawn reports llvmpipe with isFallbackAdapter false. */
const SOFTWARE_NAMES = /llvmpipe|softpipe|lavapipe|swiftshader|microsoft basic render|\bwarp\b/i

interface Attempt {
  api: GpuAdapterReport['api']
  /** Dawn toggles for create(). */
  flags: string[]
  options: GPURequestAdapterOptions & { featureLevel?: 'core' | 'compatibility' }
}

const ATTEMPTS: Attempt[] = [
  { api: 'native', flags: [], options: { powerPreference: 'high-performance' } },
  { api: 'opengles', flags: ['backend=opengles'], options: { powerPreference: 'high-performance', featureLevel: 'compatibility' } },
]

// Dawn instances stay referenced for the life of the process: a collected instance would take its devices with it.
const instances: GPU[] = []
let found: Promise<FoundAdapter> | null = null

/** The best adapter this machine offers, found once per process; throws saying what each API answered. */
export function findAdapter(): Promise<FoundAdapter> {
  found ??= search()
  // A failed search may succeed later (a driver installed meanwhile is not likely, but a retry is cheap and honest).
  found.catch(() => (found = null))
  return found
}

async function search(): Promise<FoundAdapter> {
  const { create, globals } = await import('webgpu')
  const answers: string[] = []
  for (const attempt of ATTEMPTS) {
    if (attempt.api === 'opengles') useSurfacelessEgl()
    try {
      const gpu = create(attempt.flags)
      instances.push(gpu)
      const adapter = await gpu.requestAdapter(attempt.options)
      if (adapter) return { gpu, adapter, report: describeAdapter(adapter, attempt.api), globals }
      answers.push(`${apiName(attempt.api)}: no adapter`)
    } catch (err) {
      answers.push(`${apiName(attempt.api)}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  throw new Error(
    `no WebGPU adapter (${answers.join('; ')}); install the GPU's Vulkan/Metal/D3D12 driver, or on Linux libegl1 libgles2 libegl-mesa0 for OpenGL ES`,
  )
}

/**
 * Headless EGL: without a display Mesa needs the surfaceless platform; WebGPU
 * compute draws nothing anyway. Only the main thread's process.env is the real
 * environment (a worker's is a copy Dawn never reads), so whoever spawns the
 * training worker calls this too (workers/bundled-worker.ts).
 */
export function useSurfacelessEgl(): void {
  if (process.platform === 'linux') process.env.EGL_PLATFORM ??= 'surfaceless'
}

function apiName(api: GpuAdapterReport['api']): string {
  return api === 'native' ? 'Vulkan/Metal/D3D12' : 'OpenGL ES'
}

function describeAdapter(adapter: GPUAdapter, api: GpuAdapterReport['api']): GpuAdapterReport {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }
  const text = (s: string | undefined) => (s ?? '').trim()
  const report = {
    vendor: text(info.vendor),
    architecture: text(info.architecture),
    // Dawn writes llvmpipe's name with dashes ("llvmpipe-llvm-15-0-6-256-bits-"): trim the trailing one.
    device: text(info.device).replace(/-+$/, ''),
    description: text(info.description),
    api,
    limits: { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize },
  }
  const names = [report.vendor, report.architecture, report.device, report.description].join(' ')
  return { ...report, software: info.isFallbackAdapter === true || SOFTWARE_NAMES.test(names) }
}
