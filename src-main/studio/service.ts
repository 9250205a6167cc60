// The studio service: what the UI and the CLI can ask of the main process.
// It knows no transport (see expose.ts) and no window system (pickFolder is
// injected by the Electron shell).
import { platform } from 'node:os'
import type { AppInfo, BackendReport, RunDetail, StudioCalls, StudioEvents } from '../../src-shared/contract'
import { StudioError } from '../../src-shared/errors'
import { EventHub } from '../../src-shared/event-hub'
import type { RunQuery, RunSummary } from '../../src-shared/runs'
import { APP_VERSION } from '../../src-shared/version'
import type { RunStore } from '../store/run-store'

export interface StudioDeps {
  runs: RunStore
  dataDir: string
  databasePath: string
  host: AppInfo['host']
  /** Which tfjs backend training would use; probed once, lazily. */
  probeBackend: () => Promise<BackendReport>
  pickFolder?: (title: string) => Promise<string | null>
}

export class StudioService implements StudioCalls {
  readonly events = new EventHub<StudioEvents>()
  private backend?: Promise<BackendReport>

  constructor(private readonly deps: StudioDeps) {}

  async getAppInfo(): Promise<AppInfo> {
    this.backend ??= this.deps.probeBackend()
    return {
      version: APP_VERSION,
      dataDir: this.deps.dataDir,
      databasePath: this.deps.databasePath,
      host: this.deps.host,
      canPickFolder: this.deps.pickFolder !== undefined,
      backend: await this.backend,
      node: process.versions.node,
      platform: platform(),
    }
  }

  async listRuns(query?: RunQuery): Promise<RunSummary[]> {
    return this.deps.runs.list(query)
  }

  async getRun(id: string): Promise<RunDetail> {
    return { ...this.deps.runs.get(id), config: this.deps.runs.config(id) }
  }

  async renameRun(id: string, name: string): Promise<RunSummary> {
    return this.publish(this.deps.runs.rename(id, name))
  }

  async setRunNotes(id: string, notes: string): Promise<RunSummary> {
    return this.publish(this.deps.runs.setNotes(id, notes))
  }

  async deleteRun(id: string): Promise<void> {
    const run = this.deps.runs.get(id)
    if (run.status === 'running') {
      throw new StudioError('conflict', `Run "${run.name}" is training. Stop it before deleting it.`, id)
    }
    this.deps.runs.delete(id)
    this.events.emit('runDeleted', id)
  }

  async pickFolder(title = 'Choose an image folder'): Promise<string | null> {
    if (!this.deps.pickFolder) {
      throw new StudioError(
        'unsupported',
        'Native folder dialogs exist only in the desktop app; in the browser, type or browse to the folder instead.',
      )
    }
    return this.deps.pickFolder(title)
  }

  /** Store writes made outside the service (tests, other processes) reach the UI through this. */
  publish(run: RunSummary): RunSummary {
    this.events.emit('runUpdated', run)
    return run
  }
}
