// One owner of training per data folder: the process that holds this lease.
// Another process (a second CLI, the browser host, the desktop app) opens the
// same folder for browsing; it sees the owner's runs as training elsewhere and
// may not train or resume until the owner is gone. A lease is gone when its
// process is dead (same machine and boot: the pid no longer exists), the
// machine rebooted since (another boot id), or its heartbeat is older than
// LEASE_TIMEOUT_MS (another machine on a shared folder, or a hung process).
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { hostname, uptime } from 'node:os'
import { StudioError } from '../../src-shared/errors'
import type { TrainingOwner } from '../../src-shared/runs'
import type { Db } from './database'
import type { RunStore } from './run-store'

const HEARTBEAT_MS = 5_000
export const LEASE_TIMEOUT_MS = 30_000

/** Who a process is, as a lease records it. */
export interface ProcessIdentity {
  owner: string
  pid: number
  hostname: string
  bootId: string
}

interface LeaseRow {
  owner: string
  pid: number
  hostname: string
  boot_id: string
  since: number
  heartbeat_at: number
}

/** Linux names each boot; elsewhere the boot time (to the minute) does. */
function currentBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {
    return `boot-${Math.round((Date.now() / 1000 - uptime()) / 60)}`
  }
}

export function thisProcess(): ProcessIdentity {
  return { owner: randomBytes(8).toString('hex'), pid: process.pid, hostname: hostname(), bootId: currentBootId() }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export class TrainingLease {
  private heartbeat: NodeJS.Timeout | undefined

  constructor(
    private readonly db: Db,
    private readonly runs: RunStore,
    readonly self: ProcessIdentity = thisProcess(),
  ) {}

  /** The live process training in this folder, other than this one; null when none. */
  otherOwner(now = Date.now()): TrainingOwner | null {
    const row = this.row()
    if (!row || row.owner === this.self.owner || this.gone(row, now)) return null
    return { pid: row.pid, hostname: row.hostname, since: row.since }
  }

  holds(): boolean {
    return this.row()?.owner === this.self.owner
  }

  /**
   * Makes this process the owner, or refuses naming the live owner. A gone
   * owner's runs that were still training become interrupted first.
   */
  acquire(what: string): void {
    const now = Date.now()
    this.db
      .transaction(() => {
        const row = this.row()
        if (row?.owner === this.self.owner) return
        if (row && !this.gone(row, now))
          throw new StudioError('conflict', `${what}: ${describeOwner(row)} trains in this data folder. Train there, or wait until it finishes.`, 'lease')
        if (row) this.interruptRunsOf(row)
        this.db
          .prepare('INSERT OR REPLACE INTO training_lease (slot, owner, pid, hostname, boot_id, since, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?, ?)')
          .run(this.self.owner, this.self.pid, this.self.hostname, this.self.bootId, now, now)
      })
      .immediate()
    this.heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_MS)
    this.heartbeat.unref()
  }

  /** Gives the folder back (no run of this process trains any more). */
  release(): void {
    clearInterval(this.heartbeat)
    this.heartbeat = undefined
    this.db.prepare('DELETE FROM training_lease WHERE owner = ?').run(this.self.owner)
  }

  /**
   * Runs left 'running' by an owner that is gone become interrupted, and its
   * lease is removed. Returns their ids (none while the owner lives).
   */
  reap(now = Date.now()): string[] {
    return this.db
      .transaction(() => {
        const row = this.row()
        if (row && (row.owner === this.self.owner || !this.gone(row, now))) return []
        if (row) this.db.prepare('DELETE FROM training_lease WHERE owner = ?').run(row.owner)
        return this.interruptRunsOf(row)
      })
      .immediate()
  }

  private interruptRunsOf(row: LeaseRow | undefined): string[] {
    const reason = row
      ? `The process that trained this run (pid ${row.pid} on ${row.hostname}) ended while it was training.`
      : 'The studio closed while this run was training.'
    return this.runs.markInterrupted(reason)
  }

  private beat(): void {
    try {
      this.db.prepare('UPDATE training_lease SET heartbeat_at = ? WHERE owner = ?').run(Date.now(), this.self.owner)
    } catch {
      // A busy or full database misses one beat; the timeout allows several.
    }
  }

  private gone(row: LeaseRow, now: number): boolean {
    if (now - row.heartbeat_at > LEASE_TIMEOUT_MS) return true
    if (row.hostname !== this.self.hostname) return false
    return row.boot_id !== this.self.bootId || !pidAlive(row.pid)
  }

  private row(): LeaseRow | undefined {
    return this.db.prepare('SELECT owner, pid, hostname, boot_id, since, heartbeat_at FROM training_lease WHERE slot = 1').get() as LeaseRow | undefined
  }
}

export function describeOwner(owner: { pid: number; hostname: string; since: number }): string {
  return `another SAGAN Studio process (pid ${owner.pid} on ${owner.hostname}, since ${new Date(owner.since).toISOString().replace('T', ' ').slice(0, 19)} UTC)`
}
