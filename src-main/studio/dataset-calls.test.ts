// Dataset calls of the service on the real demo folder: progress while a
// folder is read, cancelling a check, and class previews.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import type { ScanProgress } from '../../src-shared/dataset'
import { tempStudio, type TempStudio } from '../testing/studio-fixture'

let studio: TempStudio
afterEach(async () => studio?.dispose())

describe('dataset calls', () => {
  it('reports progress while it reads a folder, ending with every image decoded', async () => {
    studio = tempStudio()
    const progress: (ScanProgress & { path: string })[] = []
    studio.events.subscribe((name, args) => {
      if (name === 'datasetProgress') progress.push(args[0] as ScanProgress & { path: string })
    })
    const report = await studio.calls.checkDataset('demo', 32)
    expect(report.totals.images).toBe(1200)
    expect(progress.every((p) => p.path === 'demo')).toBe(true)
    expect(progress.map((p) => p.phase)).toContain('decode')
    expect(progress.filter((p) => p.phase === 'decode').at(-1)).toMatchObject({ done: 1200, total: 1200 })
  })

  it('cancels a check on request, saying so', async () => {
    studio = tempStudio()
    const check = studio.calls.checkDataset('demo', 32)
    await studio.calls.cancelDatasetCheck('demo')
    await expect(check).rejects.toMatchObject({ code: 'cancelled', message: expect.stringContaining('cancelled') })
  })

  it('renders a preview grid of one class as the model will see it', async () => {
    studio = tempStudio()
    await studio.calls.checkDataset('demo', 32)
    const png = await studio.calls.getDatasetPreview('demo', 1, 32)
    const meta = await sharp(png).metadata()
    expect(meta.format).toBe('png')
    expect(meta.width).toBeGreaterThan(meta.height!) // 8 columns, 2 rows
    await expect(studio.calls.getDatasetPreview('demo', 10, 32)).rejects.toMatchObject({ code: 'invalid-argument' })
  })

  it('confines every path call of the browser host to the folder browser roots, with a clear error', async () => {
    const allowed = realpathSync(mkdtempSync(join(tmpdir(), 'sagan-root-')))
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'sagan-elsewhere-')))
    mkdirSync(join(allowed, 'inside'))
    symlinkSync(outside, join(allowed, 'escape'))
    try {
      studio = tempStudio({ folderRoots: [allowed] })
      const refused = { code: 'invalid-argument', message: expect.stringMatching(/is outside the folders this studio may open/) }
      for (const path of ['/etc', outside, join(allowed, '..'), join(allowed, 'escape'), join(allowed, 'escape', 'deeper', 'missing')]) {
        await expect(studio.calls.checkDataset(path, 32)).rejects.toMatchObject(refused)
        await expect(studio.calls.getDatasetPreview(path, 0, 32)).rejects.toMatchObject(refused)
        await expect(studio.calls.startRun({ datasetPath: path })).rejects.toMatchObject({ ...refused, subject: 'datasetPath' })
        await expect(studio.calls.listFolder(path)).rejects.toMatchObject({ code: expect.stringMatching(/invalid-argument|not-found/) })
      }
      expect(studio.runs.list()).toEqual([])
      // Inside the roots the call goes through to the dataset check (an empty folder is not trainable).
      expect((await studio.calls.checkDataset(join(allowed, 'inside'), 32)).trainable).toBe(false)
      expect((await studio.calls.checkDataset('demo', 32)).totals.images).toBe(1200)
    } finally {
      rmSync(allowed, { recursive: true, force: true })
      rmSync(outside, { recursive: true, force: true })
    }
  })
})
