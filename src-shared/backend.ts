// Which tfjs backend a studio trains on, and the GPU behind it: reported by the
// main process (contract.ts), labelled for people by run-config.ts.
export interface BackendReport {
  /** The tfjs backend training will use, e.g. "wasm". */
  name: string
  /** Backends tried first and why each was not used. */
  skipped: { name: string; reason: string }[]
  /** How its convolutions and attention products run, e.g. "oneDNN (native/dnnl)" on the CPU backends, or why not. */
  kernels?: string
  /** The GPU the webgpu backend computes on; absent on other backends. */
  adapter?: GpuAdapterReport
}

/** A WebGPU adapter as Dawn describes it (any field may be empty: drivers differ). */
export interface GpuAdapterReport {
  vendor: string
  architecture: string
  /** The device name, e.g. "NVIDIA GeForce RTX 3060" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  device: string
  /** The driver's description, e.g. "OpenGL ES 3.2 Mesa 22.3.6". */
  description: string
  /** Which graphics API Dawn drives it through: the platform's own (Vulkan, Metal, D3D12) or OpenGL ES. */
  api: 'native' | 'opengles'
  /** A CPU rasteriser posing as a GPU (llvmpipe, SwiftShader, a fallback adapter): slower than wasm. */
  software: boolean
  /** Bytes: the largest buffer, and the largest one a shader may bind (each tensor lives in one buffer). */
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number }
}
