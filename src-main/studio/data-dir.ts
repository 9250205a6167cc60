import { resolve } from 'node:path'
import envPaths from 'env-paths'

/** CLI and browser host default: the XDG data folder ($XDG_DATA_HOME/sagan-studio on Linux). */
function defaultDataDir(): string {
  return envPaths('sagan-studio', { suffix: '' }).data
}

export function resolveDataDir(flag: string | undefined): string {
  return resolve(flag ?? defaultDataDir())
}

export const DATABASE_FILE = 'studio.sqlite'
