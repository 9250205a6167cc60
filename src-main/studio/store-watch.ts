// What other processes write into the same database reaches this process's
// UI: a run another process trains updates live (status, steps, loss log,
// sample sheets, metrics), and when that process is gone its runs become
// interrupted. Polls cheaply: PRAGMA data_version changes only when another
// connection committed, so an idle folder costs one pragma a second.
import type { StudioEvents } from '../../src-shared/contract'
import type { EventHub } from '../../src-shared/event-hub'
import type { RunSummary } from '../../src-shared/runs'
import type { Db } from '../store/database'
import type { RunStore } from '../store/run-store'
import type { TrainingLease } from '../store/training-lease'
import type { TrainingStore } from '../store/training-store'

const WATCH_INTERVAL_MS = 1000

/** How far back a poll looks for changed runs: writes of another process may commit a little after their timestamp. */
const LOOKBACK_MS = 5000

interface Watermark {
  logStep: number
  sampleStep: number
  metricId: number
}

export interface StoreWatchDeps {
  db: Db
  runs: RunStore
  training: TrainingStore
  lease: TrainingLease
  events: EventHub<StudioEvents>
  /** Runs this process trains: their events come from their sessions, not from here. */
  isLocal: (id: string) => boolean
}

export class StoreWatch {
  private timer: NodeJS.Timeout | undefined
  private dataVersion = -1
  private lastPoll = Date.now()
  /** updated_at of each run as last emitted, so a change is sent once. */
  private readonly seen = new Map<string, number>()
  private readonly marks = new Map<string, Watermark>()

  constructor(private readonly deps: StoreWatchDeps) {}

  start(intervalMs = WATCH_INTERVAL_MS): void {
    this.timer = setInterval(() => this.poll(), intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** One look at the database; public for tests. */
  poll(): void {
    try {
      this.pollOnce()
    } catch (err) {
      // A busy database is looked at again next time.
      console.warn('[studio] watching the database failed:', (err as Error).message)
    }
  }

  private pollOnce(): void {
    const { db, runs, lease, events, isLocal } = this.deps
    for (const id of lease.reap()) events.emit('runUpdated', runs.get(id))
    const version = db.pragma('data_version', { simple: true }) as number
    if (version === this.dataVersion) return
    this.dataVersion = version
    const now = Date.now()
    for (const run of runs.changedSince(this.lastPoll - LOOKBACK_MS)) {
      if (isLocal(run.id)) continue
      if (this.seen.get(run.id) !== run.updatedAt) {
        this.seen.set(run.id, run.updatedAt)
        events.emit('runUpdated', run)
      }
      if (run.trainedElsewhere) this.relayOutput(run)
      else this.marks.delete(run.id)
    }
    this.lastPoll = now
  }

  /** New loss-log rows, sample sheets and metrics of a run trained elsewhere, as the session there would have sent them. */
  private relayOutput(run: RunSummary): void {
    const { training, events, runs } = this.deps
    const runId = run.id
    const mark = this.marks.get(runId)
    if (!mark) {
      // First sight: the UI loads what exists; only what comes after is relayed.
      this.marks.set(runId, training.outputMarks(runId))
      return
    }
    const { batchSize } = runs.config(runId)
    for (const point of training.logAfter(runId, mark.logStep)) {
      const etaSeconds = point.imagesPerSecond > 0 ? ((run.targetSteps - point.step) * batchSize) / point.imagesPerSecond : 0
      events.emit('runProgress', { runId, ...point, targetStep: run.targetSteps, etaSeconds, backend: run.backend ?? '' })
      mark.logStep = point.step
    }
    for (const s of training.samplesAfter(runId, mark.sampleStep)) {
      events.emit('samplesSaved', { runId, step: s.step, weights: s.weights })
      mark.sampleStep = Math.max(mark.sampleStep, s.step)
    }
    const metrics = training.metricsAfter(runId, mark.metricId)
    for (const [step, values] of groupBy(
      metrics.map((m) => m.value),
      (v) => v.step,
    ))
      events.emit('metricComputed', { runId, step, values, warnings: [] })
    if (metrics.length > 0) mark.metricId = metrics[metrics.length - 1].id
  }
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return groups
}
