// Where files shipped with the studio (resources/) are, from sources or from
// the build in out/main (both sit two or three folders below the repo root).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export function resourcesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'resources', 'demo-dataset'))) return join(dir, 'resources')
    dir = dirname(dir)
  }
  throw new Error('resources/ not found above the studio code; is the checkout complete?')
}

export function demoDatasetDir(): string {
  return join(resourcesDir(), 'demo-dataset', 'fashion-mnist')
}
