// Wires store and service for one data folder. Shared by the Electron shell,
// the browser host and the CLI so all three see the same studio.
import { join } from 'node:path'
import type { AppInfo, BackendReport } from '../../src-shared/contract'
import { openDatabase, type Db } from '../store/database'
import { RunStore } from '../store/run-store'
import { DATABASE_FILE } from './data-dir'
import { StudioService } from './service'

export interface OpenStudioOptions {
  dataDir: string
  host: AppInfo['host']
  pickFolder?: (title: string) => Promise<string | null>
  nativeBinding?: string
}

export interface Studio {
  service: StudioService
  db: Db
  runs: RunStore
  close(): void
}

async function probeBackend(): Promise<BackendReport> {
  const { initBackend } = await import('../engine/backend')
  return initBackend('auto')
}

export function openStudio(options: OpenStudioOptions): Studio {
  const databasePath = join(options.dataDir, DATABASE_FILE)
  const db = openDatabase(databasePath, { nativeBinding: options.nativeBinding })
  const runs = new RunStore(db)
  const service = new StudioService({
    runs,
    dataDir: options.dataDir,
    databasePath,
    host: options.host,
    probeBackend,
    pickFolder: options.pickFolder,
  })
  return { service, db, runs, close: () => db.close() }
}
