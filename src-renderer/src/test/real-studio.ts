// A renderer-side Connection wired to a REAL studio service (temporary SQLite
// file) through an in-memory pipe: component tests exercise the real contract.
import type { BackendReport } from '../../../src-shared/contract'
import { exposeStudio } from '../../../src-main/studio/expose'
import { memoryPipe } from '../../../src-main/testing/memory-pipe'
import { tempStudio, type TempStudio } from '../../../src-main/testing/studio-fixture'
import { Connection } from '../lib/connection.svelte'

export function realStudioConnection(backend: BackendReport = { name: 'wasm', skipped: [] }): { studio: TempStudio; connection: Connection } {
  // The backend these components display is given, not probed: a probe starts a training
  // worker, and the views only show what it reports.
  const studio = tempStudio({ probeBackend: async () => backend })
  const [serverEnd, clientEnd] = memoryPipe()
  exposeStudio(studio.calls, studio.events, serverEnd)
  const connection = new Connection({ kind: 'websocket', open: async () => ({ ...clientEnd, close: () => undefined }) })
  return { studio, connection }
}
