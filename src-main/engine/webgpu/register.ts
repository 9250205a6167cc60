// Registers tfjs-backend-webgpu on the adapter findAdapter chose. The package's
// own factory asks navigator.gpu for a default adapter, which Node lacks and
// which would never try OpenGL ES compatibility mode, so we register ours.
import * as tf from '@tensorflow/tfjs-core'
import type { GpuAdapterReport } from '../../../src-shared/contract'
import { findAdapter } from './adapter'
import { recordGpuError } from './device-errors'

let registered = false

/**
 * Makes the 'webgpu' tfjs backend available (tf.setBackend still picks it).
 * Software adapters are refused unless acceptSoftware: on a CPU rasteriser
 * the wasm backend is several times faster (docs/performance.md).
 */
export async function registerWebgpu(acceptSoftware: boolean): Promise<GpuAdapterReport> {
  const found = await findAdapter()
  const { adapter, report } = found
  if (report.software && !acceptSoftware) {
    throw new Error(
      `the only adapter is a software one (${report.device || report.description}), slower than wasm; choose backend "webgpu" to train on it anyway`,
    )
  }
  if (!registered) {
    const { gpu, globals } = found
    // Imported before navigator.gpu exists, so that the package's own factory (a default adapter, no OpenGL ES) stays unregistered.
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu')
    // GPUBufferUsage, GPUMapMode, ... are browser globals the backend uses directly; its constructor checks navigator.gpu.
    Object.assign(globalThis, globals)
    if (typeof navigator === 'undefined') Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true })
    else if (!navigator.gpu) Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true })
    // The device is made here, not in the factory: tfjs logs a factory's error and only returns false.
    const device = await requestDevice(adapter)
    device.addEventListener('uncapturederror', (event) => recordGpuError((event as GPUUncapturedErrorEvent).error.message))
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu')
    tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info))
    registered = true
  }
  return report
}

/** A device with the adapter's own maxima, as tfjs's factory asks for: the defaults (128 MiB bindings) are far below most GPUs'. */
function requestDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const limits = adapter.limits
  return adapter.requestDevice({
    requiredLimits: {
      maxBufferSize: limits.maxBufferSize,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  })
}
