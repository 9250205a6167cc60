// What the main process asks of an export worker (workers/rpc.ts carries it).
import type { BackendPreference } from '../../../src-shared/run-config'
import type { GeneratorExportInput } from './write-generator'

export interface ExportRequest {
  dir: string
  input: GeneratorExportInput
  backend: BackendPreference
}

export interface ExportCalls {
  /** Writes one generator export; answers every file written, as absolute paths. */
  write(request: ExportRequest): Promise<string[]>
}
