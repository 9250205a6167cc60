// Folder listing for the browser host's dataset picker. Only the user's home
// folder and the studio's resources are browsable: the UI is untrusted, so a
// path outside them (or one that escapes them through "..") is refused.
import { readdirSync, realpathSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { StudioError } from '../../src-shared/errors'
import type { FolderListing } from '../../src-shared/contract'
import { resourcesDir } from './resources'

const IMAGE_EXTENSION = /\.(png|jpe?g|webp|gif|bmp|tiff?)$/i

/** The home folder, the studio's resources and any folders `serve --root` added. */
export function browsableRoots(extra: string[] = []): string[] {
  return [...new Set([homedir(), resourcesDir(), ...extra].map((p) => realpathSync(p)))]
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel))
}

/**
 * `path` if it lies inside one of `roots` (checked on the resolved path of its
 * nearest existing ancestor, so neither ".." nor a link leads outside); refused otherwise.
 */
export function confinedPath(path: string, roots: string[], field: string): string {
  const requested = resolve(path)
  let existing = requested
  let rest = ''
  for (;;) {
    try {
      const real = join(realpathSync(existing), rest)
      if (roots.some((r) => inside(r, real))) return path
      break
    } catch {
      const parent = dirname(existing)
      if (parent === existing) break
      rest = join(basename(existing), rest)
      existing = parent
    }
  }
  throw new StudioError(
    'invalid-argument',
    `${requested} is outside the folders this studio may open (${roots.join(', ')}). Choose a folder inside them, or start \`serve --root DIR\` to allow another.`,
    field,
  )
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
