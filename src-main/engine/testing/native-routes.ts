// The two routes conv2dSame and training attention take on wasm and cpu: oneDNN where native/dnnl
// is built, and the backends' own kernels (SAGAN_NATIVE=off, read at each call). Tests that hold
// either route run under onNativeRoute.
import { nativeStatus } from '../ops/native/addon'

export interface NativeRoute {
  name: string
  /** true: the backend's own kernels. */
  off: boolean
  /** true where the route cannot run here (the addon was not built). */
  skip: boolean
}

export const NATIVE_ROUTES: NativeRoute[] = [
  { name: 'oneDNN', off: false, skip: !nativeStatus('wasm').active },
  { name: "the backend's kernels", off: true, skip: false },
]

export async function onNativeRoute<T>(route: NativeRoute, fn: () => Promise<T>): Promise<T> {
  const before = process.env.SAGAN_NATIVE
  if (route.off) process.env.SAGAN_NATIVE = 'off'
  try {
    return await fn()
  } finally {
    if (before === undefined) delete process.env.SAGAN_NATIVE
    else process.env.SAGAN_NATIVE = before
  }
}
