// GPU errors the device reports out of band. A WebGPU kernel that fails
// validation does not throw: its output simply stays zero, so a step would
// "succeed" with zero losses. The trainer checks here after each read.
let first: string | null = null

/** The device's uncaptured-error handler (webgpu/register.ts installs it). */
export function recordGpuError(message: string): void {
  first ??= message.split('\n').slice(0, 2).join(' ').slice(0, 300)
}

/** Throws, naming the GPU's first error since the last check; a no-op on other backends. */
export function throwIfGpuFailed(what: string): void {
  if (first === null) return
  const message = first
  first = null
  throw new Error(
    `${what}: the GPU rejected a kernel (${message}); the results are not valid. Train on wasm and report this with the adapter named in the run header`,
  )
}
