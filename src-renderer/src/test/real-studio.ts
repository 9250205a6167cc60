// A renderer-side Connection wired to a REAL studio service (temporary SQLite
// file) through an in-memory pipe: component tests exercise the real contract.
import { exposeStudio } from '../../../src-main/studio/expose'
import { memoryPipe } from '../../../src-main/testing/memory-pipe'
import { tempStudio, type TempStudio } from '../../../src-main/testing/studio-fixture'
import { Connection } from '../lib/connection.svelte'

export function realStudioConnection(): { studio: TempStudio; connection: Connection } {
  // happy-dom makes tfjs-wasm believe it runs in a browser (it tries to fetch its .wasm over
  // HTTP), so the backend these components display is given, not probed.
  const studio = tempStudio({ probeBackend: async () => ({ name: 'wasm', skipped: [] }) })
  const [serverEnd, clientEnd] = memoryPipe()
  exposeStudio(studio.service, studio.service.events, serverEnd)
  const connection = new Connection({ kind: 'websocket', open: async () => ({ ...clientEnd, close: () => undefined }) })
  return { studio, connection }
}
