import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { browsableRoots, listFolder } from './folder-browser'

let root: string
let outside: string
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'sagan-home-')))
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'sagan-outside-')))
  mkdirSync(join(root, 'flowers', 'roses'), { recursive: true })
  mkdirSync(join(root, 'flowers', 'tulips'))
  mkdirSync(join(root, '.hidden'))
  writeFileSync(join(root, 'flowers', 'cover.jpg'), 'x')
  symlinkSync(outside, join(root, 'escape'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
  rmSync(outside, { recursive: true, force: true })
})

describe('folder browser for the browser host', () => {
  it('lists sub-folders (hidden ones and links left out) and counts images', () => {
    const top = listFolder(root, [root])
    expect(top.parent).toBeNull()
    expect(top.folders.map((f) => f.name)).toEqual(['flowers'])
    const flowers = listFolder(join(root, 'flowers'), [root])
    expect(flowers).toMatchObject({ parent: root, imageCount: 1, folderCount: 2 })
    expect(flowers.folders.map((f) => f.name)).toEqual(['roses', 'tulips'])
  })

  it.each([
    ['a parent of the root', () => join(root, '..')],
    ['a path climbing out with ..', () => join(root, 'flowers', '..', '..', 'etc')],
    ['a link that leads outside', () => join(root, 'escape')],
    ['an absolute path elsewhere', () => '/etc'],
  ])('refuses %s', (_what, path) => {
    expect(() => listFolder(path(), [root])).toThrow(/Only folders inside|No folder at/)
  })

  it('starts at the home folder and also offers the studio resources with the demo dataset', () => {
    const roots = browsableRoots()
    expect(roots).toHaveLength(2)
    expect(listFolder(undefined).path).toBe(roots[0])
    expect(listFolder(join(roots[1], 'demo-dataset')).folders.map((f) => f.name)).toContain('fashion-mnist')
  })
})
