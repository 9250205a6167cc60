#!/usr/bin/env node
// `npm start`: build if needed, then open the Electron window. Where the
// Electron binary cannot be had (no download route, no display), say so in
// one line and serve the same UI to a browser instead.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

function needsBuild() {
  const built = join(root, 'out', 'main', 'cli.js')
  if (!existsSync(built)) return true
  const sources = ['src-main', 'src-renderer', 'src-shared'].map((d) => newestMtime(join(root, d)))
  return Math.max(...sources) > statSync(built).mtimeMs
}

/** The Electron executable, or the reason there is none. */
function electronBinary() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display (DISPLAY is not set)' }
  }
  let pkgDir
  try {
    pkgDir = dirname(require.resolve('electron/package.json'))
  } catch {
    return { reason: 'the electron package is not installed (run npm ci)' }
  }
  const pathFile = join(pkgDir, 'path.txt')
  const installed = () => existsSync(pathFile) && existsSync(join(pkgDir, 'dist', readFileSync(pathFile, 'utf8')))
  if (!installed()) {
    // Electron fetches its binary on first use; do it here, quietly, with a time limit.
    console.log('Fetching the Electron binary (first start)…')
    const get = spawnSync(process.execPath, [join(pkgDir, 'install.js')], { stdio: 'pipe', timeout: 180_000, encoding: 'utf8' })
    if (get.status !== 0 || !installed()) {
      const why = `${get.stderr ?? ''}${get.stdout ?? ''}`.match(/(\w*Error[^\n]*)/)?.[1] ?? 'download failed'
      return { reason: `the Electron binary could not be downloaded: ${why}` }
    }
  }
  return { path: join(pkgDir, 'dist', readFileSync(pathFile, 'utf8')) }
}

if (needsBuild()) {
  console.log('Building SAGAN Studio…')
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  if (build.status !== 0) process.exit(build.status ?? 1)
}

const extra = process.argv.slice(2)
let electron = electronBinary()
// Electron needs better-sqlite3 built for its own ABI (docs/electron-addon.md).
if (electron.path && !existsSync(join(root, 'build-electron', 'better_sqlite3.node'))) {
  const addon = spawnSync(process.execPath, [join(root, 'scripts', 'build-electron-sqlite.mjs')], { cwd: root, stdio: 'inherit' })
  if (addon.status !== 0) electron = { reason: 'better-sqlite3 could not be built for Electron' }
}
const child = electron.path
  ? spawn(electron.path, [root, ...extra], { cwd: root, stdio: 'inherit' })
  : (console.log(`Electron is not available here (${electron.reason}); starting the browser host instead.`),
    spawn(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'serve', ...extra], { cwd: root, stdio: 'inherit' }))
child.on('exit', (code) => process.exit(code ?? 0))
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
