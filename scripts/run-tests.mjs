#!/usr/bin/env node
// `npm test`: build, unit + component tests (vitest), then end-to-end tests
// (Playwright against the built UI). A failed type check or lint counts as
// one failure each. Ends with one line `N passed, N failed`.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const results = join(root, 'test-results')
rmSync(results, { recursive: true, force: true })
mkdirSync(results, { recursive: true })

function run(label, cmd, args) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`)
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1
}

function readJson(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined
}

const buildStatus = run('build', 'npx', ['electron-vite', 'build'])
if (buildStatus !== 0) {
  console.log('0 passed, 1 failed')
  process.exit(1)
}

const typecheckStatus = run('type check', 'npm', ['run', '--silent', 'typecheck'])
const lintStatus = run('lint and layering', 'npm', ['run', '--silent', 'lint'])

const unitFile = join(results, 'unit-results.json')
const unitStatus = run('unit and component tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitFile}`])
const e2eStatus = run('end-to-end tests', 'npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts'])

const unit = readJson(unitFile)
const e2e = readJson(join(results, 'e2e-results.json'))
let passed = 0
let failed = 0
let skipped = 0
if (unit) {
  passed += unit.numPassedTests
  failed += unit.numFailedTests
  skipped += unit.numPendingTests + (unit.numTodoTests ?? 0)
} else failed += 1
if (e2e) {
  passed += e2e.stats.expected + e2e.stats.flaky
  failed += e2e.stats.unexpected
  skipped += e2e.stats.skipped
} else failed += 1
if (typecheckStatus !== 0) failed += 1
if (lintStatus !== 0) failed += 1
// A runner that crashed without reporting a failure still fails the run.
if (failed === 0 && (unitStatus !== 0 || e2eStatus !== 0)) failed += 1

console.log(
  `\nunit: ${unit ? `${unit.numPassedTests} passed, ${unit.numFailedTests} failed` : 'no report'}; e2e: ${e2e ? `${e2e.stats.expected} passed, ${e2e.stats.unexpected} failed, ${e2e.stats.skipped} skipped` : 'no report'}`,
)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed === 0 ? 0 : 1)
