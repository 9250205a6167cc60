// The one door between the UI and the main process. Both transports (Electron
// IPC and the browser host's WebSocket) carry exactly these two interfaces.
// Every inbound call is validated against `callSchemas` at the service
// boundary: the renderer is untrusted code.
import { z } from 'zod'
import {
  RunIdSchema,
  RunNameSchema,
  RunNotesSchema,
  RunQuerySchema,
  type RunQuery,
  type RunSummary,
} from './runs'

export interface BackendReport {
  /** The tfjs backend training will use, e.g. "wasm". */
  name: string
  /** Backends tried first and why each was not used. */
  skipped: { name: string; reason: string }[]
}

export interface AppInfo {
  version: string
  dataDir: string
  databasePath: string
  /** Which host serves this UI. */
  host: 'electron' | 'browser'
  /** Whether `pickFolder` can open a native dialog. */
  canPickFolder: boolean
  backend: BackendReport
  node: string
  platform: string
}

export interface RunDetail extends RunSummary {
  config: unknown
}

/** Calls from the UI to the main process. */
export interface StudioCalls {
  getAppInfo(): Promise<AppInfo>
  listRuns(query?: RunQuery): Promise<RunSummary[]>
  getRun(id: string): Promise<RunDetail>
  renameRun(id: string, name: string): Promise<RunSummary>
  setRunNotes(id: string, notes: string): Promise<RunSummary>
  deleteRun(id: string): Promise<void>
  /** Native folder dialog; null when cancelled. Electron only. */
  pickFolder(title?: string): Promise<string | null>
}

/** Events pushed from the main process to every connected UI. */
export interface StudioEvents {
  runUpdated(run: RunSummary): void
  runDeleted(id: string): void
}

export const EVENT_NAMES = ['runUpdated', 'runDeleted'] as const satisfies readonly (keyof StudioEvents)[]

/** Argument tuples of every call, checked before the service sees them. */
export const callSchemas = {
  getAppInfo: z.tuple([]),
  listRuns: z.tuple([RunQuerySchema.optional()]),
  getRun: z.tuple([RunIdSchema]),
  renameRun: z.tuple([RunIdSchema, RunNameSchema]),
  setRunNotes: z.tuple([RunIdSchema, RunNotesSchema]),
  deleteRun: z.tuple([RunIdSchema]),
  pickFolder: z.tuple([z.string().max(200).optional()]),
} satisfies { [K in keyof StudioCalls]: z.ZodType }

export type CallName = keyof StudioCalls
export const CALL_NAMES = Object.keys(callSchemas) as CallName[]
