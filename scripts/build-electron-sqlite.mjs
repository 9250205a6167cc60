#!/usr/bin/env node
// Builds better-sqlite3's addon for Electron's ABI into build-electron/,
// leaving node_modules/better-sqlite3 (Node's ABI, used by the CLI and the
// tests) untouched. Electron's main process loads it through better-sqlite3's
// `nativeBinding` option. Needs internet (prebuilt binary or Electron headers).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const electronVersion = require('electron/package.json').version
const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'))
const target = join(root, 'build-electron', 'better_sqlite3.node')

const work = mkdtempSync(join(tmpdir(), 'sqlite-electron-'))
try {
  cpSync(sqliteDir, work, { recursive: true, filter: (src) => !src.includes(`${sqliteDir}/build`) })
  const env = { ...process.env, npm_config_runtime: 'electron', npm_config_target: electronVersion }
  const run = (cmd, args) => spawnSync(cmd, args, { cwd: work, env, stdio: 'inherit' }).status === 0
  const ok =
    run('npx', ['--yes', 'prebuild-install', '--runtime', 'electron', '--target', electronVersion]) ||
    run('npx', ['--yes', 'node-gyp', 'rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers'])
  const built = join(work, 'build', 'Release', 'better_sqlite3.node')
  if (!ok || !existsSync(built)) {
    console.error(`Could not build better-sqlite3 for Electron ${electronVersion} (no prebuilt binary and no headers reachable).`)
    process.exit(1)
  }
  mkdirSync(dirname(target), { recursive: true })
  cpSync(built, target)
  console.log(`better-sqlite3 for Electron ${electronVersion}: ${target}`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
