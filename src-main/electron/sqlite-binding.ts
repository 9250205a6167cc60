// better-sqlite3 is compiled for Node's ABI (tests and CLI use it). Electron
// needs a build for its own ABI; `npm run build:electron-sqlite` puts one in
// build-electron/ and we point better-sqlite3 at it (docs/electron-addon.md).
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export function electronSqliteBinding(appRoot: string): string | undefined {
  const file = join(appRoot, 'build-electron', 'better_sqlite3.node')
  return existsSync(file) ? file : undefined
}
