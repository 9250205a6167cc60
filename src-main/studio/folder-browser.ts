// Folder listing for the browser host's dataset picker. Only the user's home
// folder and the studio's resources are browsable: the UI is untrusted, so a
// path outside them (or one that escapes them through "..") is refused.
import { readdirSync, realpathSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, relative, resolve, sep } from 'node:path'
import { StudioError } from '../../src-shared/errors'
import type { FolderListing } from '../../src-shared/contract'
import { resourcesDir } from './resources'

const IMAGE_EXTENSION = /\.(png|jpe?g|webp|gif|bmp|tiff?)$/i

export function browsableRoots(): string[] {
  return [homedir(), resourcesDir()].map((p) => realpathSync(p))
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel))
}

export function listFolder(path: string | undefined, roots = browsableRoots()): FolderListing {
  const requested = resolve(path ?? roots[0])
  let real: string
  try {
    real = realpathSync(requested)
  } catch {
    throw new StudioError('not-found', `No folder at ${requested}.`, requested)
  }
  // Checked on the resolved path, so neither ".." nor a link can lead outside.
  const root = roots.find((r) => inside(r, real))
  if (!root) throw new StudioError('invalid-argument', `Only folders inside ${roots.join(' or ')} can be browsed here.`, requested)
  if (!statSync(real).isDirectory()) throw new StudioError('invalid-argument', `${real} is not a folder.`, requested)
  let folders = 0
  const entries: FolderListing['folders'] = []
  let images = 0
  for (const entry of readdirSync(real, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue
    if (entry.isDirectory()) {
      folders++
      entries.push({ name: entry.name, path: join(real, entry.name) })
    } else if (entry.isFile() && IMAGE_EXTENSION.test(entry.name)) images++
  }
  entries.sort((a, b) => a.name.localeCompare(b.name))
  return {
    path: real,
    parent: real === root ? null : resolve(real, '..'),
    roots,
    folders: entries.slice(0, 2000),
    folderCount: folders,
    imageCount: images,
  }
}
