// Builds native/dnnl (oneDNN convolutions and attention for the CPU backends) where it can, at install
// time (npm's postinstall) or by `npm run build:native`. Never fails the install: without the
// addon the engine keeps tfjs's own kernels, only slower (docs/performance.md, issue 18).
// Needs g++ and libdnnl-dev (Debian: apt-get install libdnnl-dev); the Node headers come from
// Node's own prefix, so nothing is downloaded.
import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'

const root = join(import.meta.dirname, '..')
const dir = join(root, 'native', 'dnnl')
const addon = join(dir, 'build', 'Release', 'sagan_dnnl.node')
const skip = (why) => {
  console.log(`native kernels not built: ${why}. Training uses tfjs's own kernels.`)
  process.exit(0)
}

if (process.env.SAGAN_NATIVE === 'off') skip('SAGAN_NATIVE=off')
if (!['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/oneapi/dnnl/dnnl.hpp'].some(existsSync))
  skip('oneDNN headers not found (apt-get install libdnnl-dev, then npm run build:native)')
const prefix = dirname(dirname(process.execPath))
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : []
// npm puts its bundled node-gyp on PATH for scripts it runs.
const build = spawnSync('node-gyp', ['rebuild', ...nodedir], { cwd: dir, encoding: 'utf8', shell: process.platform === 'win32' })
if (build.error || build.status !== 0 || !existsSync(addon)) {
  rmSync(join(dir, 'build'), { recursive: true, force: true })
  const tail = `${build.stdout ?? ''}${build.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n')
  skip(`node-gyp failed${build.error ? ` (${build.error.message})` : ''}${tail ? `:\n${tail}\n` : ''}`)
}
console.log(`native kernels built: ${addon} (oneDNN)`)
