// The two routes conv2dSame takes on wasm and cpu: oneDNN where native/dnnl-conv is built, and the
// backends' own kernels (SAGAN_NATIVE_CONV=off, read at each call). Tests that hold either route run
// under onConvRoute.
import { nativeConvStatus } from '../ops/native-conv'

export interface ConvRoute {
  name: string
  /** true: the backend's own kernels. */
  off: boolean
  /** true where the route cannot run here (the addon was not built). */
  skip: boolean
}

export const CONV_ROUTES: ConvRoute[] = [
  { name: 'oneDNN', off: false, skip: !nativeConvStatus('wasm').active },
  { name: "the backend's kernels", off: true, skip: false },
]

export async function onConvRoute<T>(route: ConvRoute, fn: () => Promise<T>): Promise<T> {
  const before = process.env.SAGAN_NATIVE_CONV
  if (route.off) process.env.SAGAN_NATIVE_CONV = 'off'
  try {
    return await fn()
  } finally {
    if (before === undefined) delete process.env.SAGAN_NATIVE_CONV
    else process.env.SAGAN_NATIVE_CONV = before
  }
}
