import { describe, expect, it } from 'vitest'
import { openDatabase, type Db } from './database'
import { RunStore } from './run-store'
import { LEASE_TIMEOUT_MS, TrainingLease, thisProcess, type ProcessIdentity } from './training-lease'

const newRun = { name: 'r', datasetPath: '/d', datasetName: 'd', preset: 'quick', ablation: 'sagan', config: {}, targetSteps: 10, appVersion: '0.1.0' }

/** Two "processes" on one database file: each with its own identity. */
function folder() {
  const db = openDatabase(':memory:')
  const open = (who: Partial<ProcessIdentity> = {}) => {
    const lease: TrainingLease = new TrainingLease(db, new RunStore(db, { otherOwner: () => lease.otherOwner() }), { ...thisProcess(), ...who })
    return { lease, runs: new RunStore(db, { otherOwner: () => lease.otherOwner() }) }
  }
  return { db, open }
}

function writeLease(db: Db, row: { owner: string; pid: number; hostname: string; boot_id: string; heartbeat_at: number }): void {
  db.prepare(
    'INSERT OR REPLACE INTO training_lease (slot, owner, pid, hostname, boot_id, since, heartbeat_at) VALUES (1, @owner, @pid, @hostname, @boot_id, @heartbeat_at, @heartbeat_at)',
  ).run(row)
}

describe('training lease', () => {
  it('gives the folder to one process; the other sees its runs as trained elsewhere and is refused, by name', () => {
    const { open } = folder()
    const a = open()
    const b = open()
    a.lease.acquire('train')
    const run = a.runs.create(newRun)
    a.runs.setStatus(run.id, 'running')
    expect(a.runs.get(run.id).trainedElsewhere).toBeNull()
    expect(b.runs.get(run.id).trainedElsewhere).toMatchObject({ pid: process.pid })
    expect(() => b.lease.acquire('Cannot resume "r"')).toThrow(
      new RegExp(`Cannot resume "r": another SAGAN Studio process \\(pid ${process.pid} on .+, since .+ UTC\\) trains in this data folder`),
    )
    // While A lives, B's look at the folder changes nothing.
    expect(b.lease.reap()).toEqual([])
    expect(b.runs.get(run.id).status).toBe('running')
    a.lease.release()
    b.lease.acquire('train')
    expect(b.lease.holds()).toBe(true)
    b.lease.release()
  })

  it.each([
    ['its process died (same machine and boot)', { pid: 2 ** 22 + 12345 }],
    ['the machine rebooted since (another boot id, the pid alive again)', { boot_id: 'another-boot' }],
    ['its heartbeat is older than the timeout', { heartbeat_at: Date.now() - LEASE_TIMEOUT_MS - 1000 }],
    ['another machine stopped beating', { hostname: 'other-machine', heartbeat_at: Date.now() - LEASE_TIMEOUT_MS - 1000 }],
  ])('takes over a lease whose owner is gone: %s, and interrupts what it trained', (_why, change) => {
    const { db, open } = folder()
    const me = open()
    const run = me.runs.create(newRun)
    me.runs.setStatus(run.id, 'running')
    writeLease(db, { owner: 'gone', pid: process.pid, hostname: me.lease.self.hostname, boot_id: me.lease.self.bootId, heartbeat_at: Date.now(), ...change })
    expect(me.lease.reap()).toEqual([run.id])
    expect(me.runs.get(run.id)).toMatchObject({
      status: 'interrupted',
      statusCode: 'studio-closed',
      statusReason: expect.stringMatching(/^The process that trained this run \(pid \d+ on .+\) ended while it was training\.$/),
    })
    me.lease.acquire('train')
    expect(me.lease.holds()).toBe(true)
    me.lease.release()
  })

  it('leaves a live owner on another machine alone while it beats', () => {
    const { db, open } = folder()
    const me = open()
    writeLease(db, { owner: 'remote', pid: 1, hostname: 'other-machine', boot_id: 'x', heartbeat_at: Date.now() })
    expect(me.lease.reap()).toEqual([])
    expect(me.lease.otherOwner()).toMatchObject({ pid: 1, hostname: 'other-machine' })
    expect(() => me.lease.acquire('train')).toThrow(/pid 1 on other-machine/)
  })
})
