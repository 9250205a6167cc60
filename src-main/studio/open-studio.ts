// Wires store and service for one data folder. Shared by the Electron shell,
// the browser host, the CLI and scripts so all see the same studio, through
// the same door: a face gets the checked calls and the events, no store.
import { join } from 'node:path'
import type { AppInfo, BackendReport, StudioEvents } from '../../src-shared/contract'
import { EventHub } from '../../src-shared/event-hub'
import { openDatabase, type Db } from '../store/database'
import { RunStore } from '../store/run-store'
import { TrainingStore } from '../store/training-store'
import { probeBackendInWorker } from './training/probe-backend'
import { TrainingLease } from '../store/training-lease'
import { StoreWatch } from './store-watch'
import { TrainingManager } from './training/training-manager'
import { DATABASE_FILE } from './data-dir'
import { StudioService } from './service'
import { openDoor, type StudioDoor } from './door'

export interface OpenStudioOptions {
  dataDir: string
  host: AppInfo['host']
  /** The browser host confines every path a call names to these folders (see StudioDeps.folderRoots). */
  folderRoots?: string[]
  /** Runs that train at once (default 1); more queue. */
  maxConcurrentRuns?: number
  pickFolder?: (title: string) => Promise<string | null>
  /** A native save dialog offering `defaultName`; the chosen path or null. */
  saveFile?: (defaultName: string) => Promise<string | null>
  nativeBinding?: string
  /** Overrides the tfjs backend probe (renderer tests run in a DOM-like environment where wasm cannot load). */
  probeBackend?: () => Promise<BackendReport>
}

export interface Studio {
  /** Every call, its arguments checked against the contract (door.ts). */
  calls: StudioDoor
  events: EventHub<StudioEvents>
  dataDir: string
  /** Stops live runs (each saves a final checkpoint), then closes the database. */
  close(): Promise<void>
}

/** A studio with its parts in view: for tests that seed its stores or watch its service (src-main/testing). */
export interface StudioParts extends Studio {
  service: StudioService
  db: Db
  runs: RunStore
  training: TrainingStore
  trainer: TrainingManager
}

export function openStudio(options: OpenStudioOptions): Studio {
  const { calls, events, dataDir, close } = openStudioParts(options)
  return { calls, events, dataDir, close }
}

export function openStudioParts(options: OpenStudioOptions): StudioParts {
  const databasePath = join(options.dataDir, DATABASE_FILE)
  const db = openDatabase(databasePath, { nativeBinding: options.nativeBinding })
  const runs: RunStore = new RunStore(db, { otherOwner: () => lease.otherOwner() })
  const lease = new TrainingLease(db, runs)
  // What a process that is gone left training is interrupted; a live owner's runs stay its own.
  lease.reap()
  const training = new TrainingStore(db)
  const events = new EventHub<StudioEvents>()
  const trainer = new TrainingManager({ runs, training, events, lease, dataDir: options.dataDir, maxConcurrentRuns: options.maxConcurrentRuns })
  const watch = new StoreWatch({ db, runs, training, lease, events, isLocal: (id) => trainer.isLocal(id) })
  watch.start()
  const service = new StudioService({
    runs,
    training,
    trainer,
    events,
    dataDir: options.dataDir,
    databasePath,
    host: options.host,
    probeBackend: options.probeBackend ?? probeBackendInWorker,
    folderRoots: options.folderRoots,
    pickFolder: options.pickFolder,
    saveFile: options.saveFile,
  })
  return {
    calls: openDoor(service),
    events,
    dataDir: options.dataDir,
    service,
    db,
    runs,
    training,
    trainer,
    close: async () => {
      watch.stop()
      await service.settle()
      await trainer.shutdown()
      db.close()
    },
  }
}
