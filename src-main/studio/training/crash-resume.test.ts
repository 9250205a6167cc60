// kill -9 the training process mid-run, repeatedly: the database stays
// whole, the run shows as interrupted, and resuming continues the step count
// and loss log without gaps or duplicates.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openStudioParts } from '../open-studio'

const CLI = join(import.meta.dirname, '..', '..', '..', 'out', 'main', 'cli.js')
let dataDir: string
afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

function runCli(...args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir, '--json'], { encoding: 'utf8' })
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0)
}

function dbRow<T>(sql: string): T | undefined {
  let db: Database.Database | undefined
  try {
    db = new Database(join(dataDir, 'studio.sqlite'), { readonly: true, fileMustExist: true })
    return db.prepare(sql).get() as T | undefined
  } catch {
    return undefined // not created yet
  } finally {
    db?.close()
  }
}

const newestCheckpoint = () => dbRow<{ step: number | null }>('SELECT MAX(step) AS step FROM checkpoints')?.step ?? 0

/** Runs the CLI until `more` checkpoints past the newest one exist, then SIGKILLs it. */
async function killAfterCheckpoints(args: string[], more: number): Promise<void> {
  const afterStep = newestCheckpoint() + more - 1
  const child = spawn(process.execPath, [CLI, ...args, '--data-dir', dataDir, '--json'], { stdio: 'ignore' })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 200))
    if (newestCheckpoint() > afterStep) break
  }
  child.kill('SIGKILL')
  await exited
}

describe('crash and resume', () => {
  it('survives kill -9 at any point and resumes from the last complete checkpoint', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sagan-crash-'))
    const tiny = ['--steps', '8', '--batch-size', '4', '--checkpoint-every', '1', '--sample-every', '3']
    await killAfterCheckpoints(['train', '--data', 'demo', ...tiny], 2)
    const { id } = dbRow<{ id: string }>('SELECT id FROM runs')!

    // Second crash, during the resumed run.
    await killAfterCheckpoints(['resume', id], 2)
    expect(newestCheckpoint()).toBeLessThan(8)

    const integrity = dbRow<{ integrity_check: string }>('PRAGMA integrity_check')
    expect(integrity?.integrity_check).toBe('ok')
    const studio = openStudioParts({ dataDir, host: 'browser' })
    const interrupted = studio.runs.get(id)
    await studio.close()
    expect(interrupted.status).toBe('interrupted')

    runCli('resume', id)
    const after = openStudioParts({ dataDir, host: 'browser' })
    try {
      const run = after.runs.get(id)
      expect(run).toMatchObject({ status: 'completed', step: 8 })
      const steps = (await after.calls.getTrainingLog(id)).map((p) => p.step)
      expect(steps).toEqual([...steps].sort((a, b) => a - b))
      expect(new Set(steps).size).toBe(steps.length)
      expect(steps.at(-1)).toBe(8)
    } finally {
      await after.close()
    }
  })
})

describe('exact resume', () => {
  it('stopping after 2 steps and resuming in a new process ends in the same state as 4 steps in one go', () => {
    const tiny = ['--batch-size', '4', '--seed', '7', '--checkpoint-every', '100', '--sample-every', '100']
    const finalState = () => dbRow<{ state: Buffer }>('SELECT state FROM checkpoints ORDER BY step DESC LIMIT 1')!.state
    dataDir = mkdtempSync(join(tmpdir(), 'sagan-exact-a-'))
    runCli('train', '--data', 'demo', '--steps', '4', ...tiny)
    const oneGo = finalState()
    rmSync(dataDir, { recursive: true, force: true })

    dataDir = mkdtempSync(join(tmpdir(), 'sagan-exact-b-'))
    runCli('train', '--data', 'demo', '--steps', '2', ...tiny)
    const { id } = dbRow<{ id: string }>('SELECT id FROM runs')!
    runCli('resume', id, '--steps', '2')
    const resumed = finalState()
    expect(resumed.length).toBe(oneGo.length)
    expect(resumed.equals(oneGo)).toBe(true)
  })
})
