// The desktop window, driven through Playwright's Electron support. Runs
// where the Electron binary exists; elsewhere it is skipped with the reason.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'

const root = join(import.meta.dirname, '..')

function electronBinary(): { path?: string; reason?: string } {
  try {
    const pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))
    const pathFile = join(pkgDir, 'path.txt')
    if (!existsSync(pathFile)) return { reason: 'the Electron binary was never downloaded (no network route to its release host)' }
    const path = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8'))
    return existsSync(path) ? { path } : { reason: `the Electron binary is missing at ${path}` }
  } catch {
    return { reason: 'the electron package is not installed' }
  }
}

const binary = electronBinary()
const display = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)

test.describe('Electron window', () => {
  test.skip(!binary.path, `Electron e2e skipped: ${binary.reason}`)
  test.skip(!display, 'Electron e2e skipped: no display (run under xvfb-run)')

  test('opens a secure window that talks to the studio over IPC', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sagan-electron-'))
    const app = await electron.launch({
      executablePath: binary.path,
      args: [root, '--no-sandbox'],
      env: { ...process.env, SAGAN_STUDIO_DATA_DIR: dataDir },
    })
    try {
      const win = await app.firstWindow()
      await expect(win.getByTestId('connection-status')).toHaveText('Connected')
      await expect(win.getByRole('heading', { name: 'No runs yet' })).toBeVisible()
      // The renderer sees only the pipe: no Node, no require.
      expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined')
      expect(await win.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined')
      await win.getByRole('link', { name: 'Settings & About' }).click()
      await expect(win.getByTestId('data-dir')).toHaveText(dataDir)
    } finally {
      await app.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
