// Starts the real browser host (the built CLI) on a temporary data folder.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base } from '@playwright/test'

export interface StudioHost {
  url: string
  dataDir: string
  process: ChildProcess
  stop(): Promise<void>
  restart(): Promise<void>
}

const CLI = join(import.meta.dirname, '..', 'out', 'main', 'cli.js')

export async function startStudioHost(dataDir: string, port = 0, token?: string): Promise<{ url: string; child: ChildProcess }> {
  // --root: the specs' image folders are made under the temporary folder.
  const args = [CLI, 'serve', '--port', String(port), '--data-dir', dataDir, '--root', tmpdir(), ...(token ? [`--token=${token}`] : [])]
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${out}`)), 30_000)
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const match = /running at (\S+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${out}`)))
  })
  return { url, child }
}

function stopChild(child: ChildProcess): Promise<void> {
  // A host killed by a signal (an abort while it shut down) has signalCode set and exitCode null.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

export const test = base.extend<{ host: StudioHost }>({
  // Playwright reads a fixture's dependencies from its first parameter's pattern: this one has none.
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sagan-e2e-'))
    let { url, child } = await startStudioHost(dataDir)
    const host: StudioHost = {
      get url() {
        return url
      },
      dataDir,
      get process() {
        return child
      },
      stop: () => stopChild(child),
      // Same port and token, as a user restarting `serve --token` would get.
      restart: async () => {
        await stopChild(child)
        const { port, hash } = new URL(url)
        ;({ url, child } = await startStudioHost(dataDir, Number(port), hash.replace('#token=', '')))
      },
    }
    await use(host)
    await stopChild(child)
    rmSync(dataDir, { recursive: true, force: true })
  },
})

export { expect } from '@playwright/test'
