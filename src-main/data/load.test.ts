import { chmodSync, mkdirSync, readdirSync, rmSync, symlinkSync, utimesSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DatasetReport, ScanProgress } from '../../src-shared/dataset'
import { checkDataset, loadDataset, type LoadedDataset } from './index'
import { imageBytes, put, putImage, snapshot, tempDir } from './testing/test-folders'

const greyPng = async (seed: number): Promise<Buffer> =>
  sharp(await imageBytes({ width: 32, height: 32 + (seed % 3) }))
    .toColourspace('b-w')
    .png()
    .toBuffer()

describe('a deliberately messy folder', () => {
  let root: string
  let before: string
  let report: DatasetReport
  let loaded: LoadedDataset

  beforeAll(async () => {
    root = tempDir('messy')
    const firstCat = await greyPng(0)
    put(root, 'Cats/cat-00.png', firstCat)
    for (let i = 1; i < 25; i++) put(root, `Cats/cat-${String(i).padStart(2, '0')}.png`, await greyPng(i))
    put(root, 'Cats/kittens/small one.png', await greyPng(99)) // nested sub-folder belongs to the class
    symlinkSync('..', path.join(root, 'Cats', 'loop')) // points back at the root
    put(root, 'Cats/.DS_Store', 'finder litter')
    put(root, 'Thumbs.db', 'windows litter')
    put(root, '.hidden/secret.png', await imageBytes())

    await putImage(root, 'Dogs/dog-1.jpg', { format: 'jpeg', width: 40, height: 30 })
    await putImage(root, 'Dogs/dog-2.webp', { format: 'webp', width: 40, height: 30 })
    put(root, 'Dogs/copy-of-cat.png', firstCat)
    put(root, 'Dogs/empty.png', Buffer.alloc(0))
    put(root, 'Dogs/notes.jpg', 'not a picture at all')
    const full = await imageBytes({ width: 48, height: 48 })
    put(root, 'Dogs/cut.png', full.subarray(0, full.length >> 1))
    await putImage(root, 'Dogs/huge.png', { width: 120, height: 100 })
    put(root, 'Dogs/old.bmp', Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]))
    put(root, 'Dogs/readme.txt', 'my dogs')

    await putImage(root, "Émile's café/tiny photo.png", { width: 8, height: 8 }) // a 1-image class, unicode and spaces
    mkdirSync(path.join(root, 'Empty'))

    before = snapshot(root)
    const cacheDir = tempDir('messy-cache')
    const settings = { imageSize: 32, pixelLimit: 10_000 }
    report = await checkDataset(root, settings)
    loaded = await loadDataset(root, settings, { cacheDir })
  })

  const skipOf = (p: string) => report.skipped.find((s) => s.path === p)
  const warningsOf = (code: string) => report.warnings.filter((w) => w.code === code)

  it('finds one class per sub-folder in code point order, nested folders included', () => {
    expect(report.layout).toBe('classes')
    expect(report.conditional).toBe(true)
    expect(report.classes.map((c) => [c.name, c.count, c.channels])).toEqual([
      ['Cats', 26, 1],
      ['Dogs', 3, 3],
      ["Émile's café", 1, 3],
    ])
    expect(report.classes[0]).toMatchObject({ typicalWidth: 32, typicalHeight: 33 })
    expect(report.trainable).toBe(true)
    expect(report.channels).toBe(3)
  })

  it('gives every broken file its own skip line with the right reason', () => {
    expect(skipOf('Dogs/empty.png')?.reason).toBe('zero-bytes')
    expect(skipOf('Dogs/notes.jpg')?.reason).toBe('not-an-image')
    expect(skipOf('Dogs/cut.png')?.reason).toBe('unreadable')
    expect(skipOf('Dogs/huge.png')?.reason).toBe('too-many-pixels')
    expect(skipOf('Dogs/old.bmp')?.reason).toBe('unsupported-format')
    expect(skipOf('Dogs/readme.txt')?.reason).toBe('other-file')
    expect(skipOf('Cats/loop/')?.reason).toBe('symlink-loop')
    expect(report.skipped.every((s) => s.message.length > 10)).toBe(true)
    expect(report.totals).toEqual({ files: 36, images: 30, skipped: 7 })
  })

  it('ignores hidden and system files entirely', () => {
    const mentioned = JSON.stringify(report)
    for (const litter of ['.DS_Store', 'Thumbs.db', '.hidden', 'secret.png']) expect(mentioned).not.toContain(litter)
  })

  it('warns about few images, an empty class, imbalance, upscaling, grey mixed with colour and duplicates', () => {
    expect(warningsOf('few-images').map((w) => w.class)).toEqual(['Dogs', "Émile's café"])
    expect(warningsOf('empty-class').map((w) => w.class)).toEqual(['Empty'])
    expect(warningsOf('imbalance')[0].message).toMatch(/"Cats" has 26 images, "Émile's café" only 1/)
    expect(warningsOf('upscaled').map((w) => w.class)).toEqual(["Émile's café"])
    expect(warningsOf('grey-and-colour')[0].message).toMatch(/^27 of 30 images are grey/)
    expect(report.duplicates).toEqual([['Cats/cat-00.png', 'Dogs/copy-of-cat.png']])
    expect(warningsOf('duplicates')).toHaveLength(1)
  })

  it('still loads every good image, labelled by its folder', () => {
    expect(loaded.classNames).toEqual(['Cats', 'Dogs', "Émile's café"])
    expect(loaded.images.length).toBe(30 * 32 * 32 * 3)
    expect([...loaded.labels]).toEqual([...new Array(26).fill(0), 0 + 1, 1, 1, 2])
    // The decoder's own wording of an error may vary between runs; what matters is the same lines.
    const lines = (r: DatasetReport) => ({ ...r, skipped: r.skipped.map(({ path, reason }) => ({ path, reason })) })
    expect(lines(loaded.report)).toEqual(lines(report))
  })

  it('never writes into the dataset folder', () => {
    expect(snapshot(root)).toBe(before)
  })
})

describe('layouts', () => {
  it('treats a folder of images without sub-folders as one unconditional dataset', async () => {
    const root = tempDir('flat')
    for (const name of ['a.png', 'b.png', 'c.png']) await putImage(root, name)
    const report = await checkDataset(root, {})
    expect(report.layout).toBe('flat')
    expect(report.conditional).toBe(false)
    expect(report.classes).toEqual([expect.objectContaining({ name: path.basename(root), count: 3 })])
    expect(report.warnings.filter((w) => w.code === 'single-class')).toEqual([])
  })

  it('reports a mixed layout and leaves the loose images out instead of guessing their class', async () => {
    const root = tempDir('mixed')
    await putImage(root, 'loose.png')
    await putImage(root, 'Birds/b.png')
    const report = await checkDataset(root, {})
    expect(report.layout).toBe('mixed')
    expect(report.classes.map((c) => c.name)).toEqual(['Birds'])
    expect(report.skipped).toEqual([expect.objectContaining({ path: 'loose.png', reason: 'not-in-a-class-folder' })])
    expect(report.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['mixed-layout', 'single-class']))
  })

  it('trains an all-grey dataset with one channel', async () => {
    const root = tempDir('grey')
    for (let i = 0; i < 3; i++) put(root, `g${i}.png`, await greyPng(i))
    const cacheDir = tempDir('grey-cache')
    const loaded = await loadDataset(root, { imageSize: 16 }, { cacheDir })
    expect(loaded.channels).toBe(1)
    expect(loaded.report.channels).toBe(1)
    expect(loaded.images.length).toBe(3 * 16 * 16)
  })

  it('reports an empty folder as not trainable', async () => {
    const report = await checkDataset(tempDir('nothing'), {})
    expect(report.trainable).toBe(false)
    expect(report.totals.images).toBe(0)
  })
})

describe('links and a changing folder', () => {
  it('reads a folder reached twice through a link once, and reports broken links', async () => {
    const root = tempDir('links')
    await putImage(root, 'Real/x.png')
    symlinkSync(path.join(root, 'Real'), path.join(root, 'Real', 'again'))
    mkdirSync(path.join(root, 'Other'))
    await putImage(root, 'Other/y.png')
    symlinkSync(path.join(root, 'Real'), path.join(root, 'Other', 'shortcut'))
    symlinkSync(path.join(root, 'nowhere.png'), path.join(root, 'Other', 'dead.png'))
    const report = await checkDataset(root, {})
    expect(report.classes.map((c) => [c.name, c.count])).toEqual([
      ['Other', 1],
      ['Real', 1],
    ])
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]))
    expect(reasons).toEqual({
      'Other/dead.png': 'broken-link',
      'Other/shortcut/': 'already-included',
      'Real/again/': 'symlink-loop',
    })
  })

  it('reports a file that disappears between scan and decode, and loads the rest', async () => {
    const root = tempDir('vanish')
    const doomed = await putImage(root, 'A/doomed.png')
    await putImage(root, 'A/stays.png')
    const onProgress = (p: ScanProgress): void => {
      if (p.phase === 'scan' && p.total !== null) rmSync(doomed) // the scan has finished
    }
    const loaded = await loadDataset(root, {}, { cacheDir: tempDir('vanish-cache'), onProgress })
    expect(loaded.report.skipped).toEqual([expect.objectContaining({ path: 'A/doomed.png', reason: 'vanished' })])
    expect(loaded.labels.length).toBe(1)
  })

  it('reports a file and a folder it may not read as permission denied, and loads the rest', async () => {
    const root = tempDir('denied')
    chmodSync(root, 0o755)
    await putImage(root, 'Open/fine.png')
    chmodSync(await putImage(root, 'Open/locked.png'), 0o000)
    await putImage(root, 'Locked/hidden-away.png')
    chmodSync(path.join(root, 'Locked'), 0o000)
    const report = await checkAsUnprivilegedUser(root)
    expect(report.skipped).toEqual([
      expect.objectContaining({ path: 'Locked/', reason: 'permission-denied' }),
      expect.objectContaining({ path: 'Open/locked.png', reason: 'permission-denied' }),
    ])
    expect(report.classes.map((c) => [c.name, c.count])).toEqual([['Open', 1]])
  })
})

/**
 * Root reads everything whatever the permission bits, and the tests run as
 * root here: then the check runs in a child process as user "nobody".
 */
async function checkAsUnprivilegedUser(root: string): Promise<DatasetReport> {
  if (process.getuid?.() !== 0) return checkDataset(root, {})
  const loadModule = fileURLToPath(new URL('./load.ts', import.meta.url))
  const script = put(
    tempDir('as-nobody'),
    'check.mts',
    `
    import { checkDataset } from ${JSON.stringify(loadModule)}
    process.stdout.write(JSON.stringify(await checkDataset(${JSON.stringify(root)}, {})))
  `,
  )
  chmodSync(path.dirname(script), 0o755)
  chmodSync(script, 0o644)
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], { uid: NOBODY, gid: NOBODY, encoding: 'utf8', cwd: process.cwd() })
  if (child.status !== 0) throw new Error(`check as user nobody failed: ${child.stderr}`)
  return JSON.parse(child.stdout) as DatasetReport
}

const NOBODY = 65534

describe('the cache', () => {
  it('is missed, then hit, then invalidated by a changed file or setting, keeping one file per folder', async () => {
    const root = tempDir('cached')
    for (let i = 0; i < 4; i++) await putImage(root, `K/${i}.png`)
    const cacheDir = tempDir('cache')
    const cold = await loadDataset(root, { imageSize: 16 }, { cacheDir })
    const warm = await loadDataset(root, { imageSize: 16 }, { cacheDir })
    expect([cold.fromCache, warm.fromCache]).toEqual([false, true])
    expect(warm.images).toEqual(cold.images)
    expect(warm.labels).toEqual(cold.labels)
    expect(warm.report).toEqual(cold.report)

    // Flip and class balance act on batches: same cache.
    expect((await loadDataset(root, { imageSize: 16, flip: true, classBalanced: true }, { cacheDir })).fromCache).toBe(true)
    expect((await loadDataset(root, { imageSize: 24 }, { cacheDir })).fromCache).toBe(false)

    utimesSync(path.join(root, 'K/0.png'), new Date(), new Date(Date.now() + 5000))
    const changed = await loadDataset(root, { imageSize: 24 }, { cacheDir })
    expect(changed.fromCache).toBe(false)
    expect(changed.report.fingerprint).not.toBe(cold.report.fingerprint)
    expect(readdirSync(cacheDir)).toHaveLength(1)
  })

  it('refuses a cache folder inside the dataset folder', async () => {
    const root = tempDir('no-write')
    await putImage(root, 'a.png')
    await expect(loadDataset(root, {}, { cacheDir: path.join(root, 'cache') })).rejects.toThrow(/never writes into a dataset folder/)
  })

  it('rebuilds a damaged cache file instead of failing', async () => {
    const root = tempDir('damaged')
    await putImage(root, 'a.png')
    const cacheDir = tempDir('damaged-cache')
    await loadDataset(root, {}, { cacheDir })
    const [file] = readdirSync(cacheDir)
    put(cacheDir, file, 'SAGANDS1 garbage')
    const again = await loadDataset(root, {}, { cacheDir })
    expect(again.fromCache).toBe(false)
    expect(again.labels.length).toBe(1)
  })
})

describe('progress and cancellation', () => {
  it('reports scan and decode progress ending at the total', async () => {
    const root = tempDir('progress')
    for (let i = 0; i < 5; i++) await putImage(root, `${i}.png`)
    const events: ScanProgress[] = []
    await checkDataset(root, {}, { onProgress: (p) => events.push(p) })
    expect(events.some((e) => e.phase === 'scan')).toBe(true)
    expect(events.at(-1)).toEqual({ phase: 'decode', done: 5, total: 5 })
  })

  it('stops when the signal is aborted', async () => {
    const root = tempDir('abort')
    await putImage(root, 'a.png')
    await expect(checkDataset(root, {}, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i)
  })

  it('names the path when the dataset folder does not exist or is a file', async () => {
    await expect(checkDataset('/no/such/folder', {})).rejects.toThrow(/\/no\/such\/folder cannot be opened/)
    const file = await putImage(tempDir('file'), 'a.png')
    await expect(checkDataset(file, {})).rejects.toThrow(/is a file, not a folder/)
  })
})
