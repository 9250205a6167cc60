// Two real processes on one data folder: the built CLI trains, a second studio
// (this test's, and further CLI commands) opens the folder for browsing. The
// second sees the run as training in another process, follows it live, may
// not resume or stop it, and only after a kill -9 of the owner sees it
// interrupted and may resume it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RunSummary } from '../../../src-shared/runs'
import { openStudioParts, type StudioParts } from '../open-studio'

const CLI = join(import.meta.dirname, '..', '..', '..', 'out', 'main', 'cli.js')
let dataDir: string
let trainer: ChildProcess | undefined
let browser: StudioParts | undefined

afterEach(async () => {
  trainer?.kill('SIGKILL')
  await browser?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function cli(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir], { encoding: 'utf8' })
  return { status: r.status, out: r.stdout, err: r.stderr }
}

function runningRun(): { id: string; step: number } | undefined {
  let db: Database.Database | undefined
  try {
    db = new Database(join(dataDir, 'studio.sqlite'), { readonly: true, fileMustExist: true })
    return db.prepare("SELECT id, step FROM runs WHERE status = 'running' AND step >= 2").get() as { id: string; step: number } | undefined
  } catch {
    return undefined // not created yet
  } finally {
    db?.close()
  }
}

describe('one data folder, two processes', () => {
  it('a second process browses the live run, is refused training it, and takes over only after kill -9', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sagan-two-'))
    const tiny = ['--steps', '400', '--batch-size', '4', '--replicas', '1', '--checkpoint-every', '2', '--sample-every', '2']
    const child = spawn(process.execPath, [CLI, 'train', '--data', 'demo', ...tiny, '--data-dir', dataDir, '--json'], { stdio: 'ignore' })
    trainer = child
    await vi.waitFor(() => expect(runningRun()).toBeDefined(), { timeout: 120_000, interval: 250 })
    const { id } = runningRun()!

    // This process opens the folder: the run stays the CLI's.
    browser = openStudioParts({ dataDir, host: 'browser' })
    const seen: { name: string; payload: unknown }[] = []
    browser.events.subscribe((name, args) => seen.push({ name, payload: args[0] }))
    const watched = browser.runs.get(id)
    expect(watched).toMatchObject({ status: 'running', trainedElsewhere: { pid: child.pid } })

    // A third process (CLI runs list) leaves it running too and labels it.
    const listed = cli('runs', 'list')
    expect(listed.out).toMatch(new RegExp(`${id}.*training in another process \\(pid ${child.pid}\\)`))
    expect((JSON.parse(cli('runs', 'list', '--json').out) as RunSummary[])[0]).toMatchObject({ status: 'running', trainedElsewhere: { pid: child.pid } })

    // Resume from another process is refused, naming the owner; so are stop and a new run.
    const resumed = cli('resume', id)
    expect(resumed.status).toBe(1)
    expect(resumed.err).toMatch(new RegExp(`another SAGAN Studio process \\(pid ${child.pid} on .+, since .+\\) trains in this data folder`))
    await expect(browser.calls.resumeRun(id)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(`pid ${child.pid}`) })
    await expect(browser.calls.stopRun(id)).rejects.toMatchObject({ code: 'conflict' })
    await expect(browser.calls.deleteRun(id)).rejects.toMatchObject({ code: 'conflict' })
    await expect(browser.calls.startRun({ datasetPath: 'demo' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`pid ${child.pid}`),
    })
    expect(browser.runs.list()).toHaveLength(1)

    // It follows the run live from the database: progress and sample sheets arrive as events.
    await vi.waitFor(
      () => {
        expect(seen.some((e) => e.name === 'runProgress' && (e.payload as { runId: string }).runId === id)).toBe(true)
        expect(seen.some((e) => e.name === 'samplesSaved')).toBe(true)
      },
      { timeout: 60_000, interval: 250 },
    )

    // kill -9 of the owner: the run becomes interrupted here, without a restart.
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    trainer = undefined
    await vi.waitFor(() => expect(browser!.runs.get(id).status).toBe('interrupted'), { timeout: 10_000, interval: 100 })
    const interrupted = browser.runs.get(id)
    expect(interrupted.statusReason).toBe(`The process that trained this run (pid ${child.pid} on ${hostname()}) ended while it was training.`)
    expect(seen.some((e) => e.name === 'runUpdated' && (e.payload as RunSummary).status === 'interrupted')).toBe(true)

    // Now this process may take the folder and resume it (stopped again at once: the step count is not the point).
    await browser.calls.resumeRun(id)
    await browser.calls.stopRun(id)
    expect(await browser.trainer.waitFor(id).catch(() => browser!.runs.get(id).status)).toMatch(/stopped|completed/)
    expect(browser.runs.get(id)).toMatchObject({ trainedElsewhere: null })
  })
})
