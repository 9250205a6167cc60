// Sheets from a real run: the training worker trains a few steps on the demo
// set, the inspection worker draws the sheet from saved checkpoints.
import { readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SheetOptions } from '../../src-shared/export'
import { gridCell } from '../export/sample-grid'
import { tempStudio, type TempStudio } from '../testing/studio-fixture'

let studio: TempStudio
let runId: string
const bare = { labels: false, header: false, footer: false, padding: 2 } as const

/** What the stand-in for the native save dialog answers, and what it was offered. */
let dialogAnswer: string | null = null
const offered: string[] = []

beforeAll(async () => {
  studio = tempStudio({ saveFile: async (name) => (offered.push(name), dialogAnswer) })
  const run = await studio.calls.startRun({
    datasetPath: 'demo',
    name: 'Export test',
    overrides: { steps: 4, batchSize: 4, gCh: 8, dCh: 8, sampleEvery: 2, checkpointEvery: { steps: 2 }, evalEvery: 0 },
  })
  expect(await studio.trainer.waitFor(run.id)).toBe('completed')
  runId = run.id
}, 180_000)
afterAll(async () => studio?.dispose())

async function pixels(bytes: Uint8Array) {
  return sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true })
}

describe('exporting sheets from a run', () => {
  it('lists the kept checkpoints', async () => {
    expect((await studio.calls.getCheckpoints(runId)).map((c) => c.step)).toEqual([2, 4])
  })

  it("draws, at the run's seed and 8 per class, the very images of the gallery sheet at that step", async () => {
    // Step 4 first: step 2 is then loaded into the same inspection worker, which must not matter.
    await studio.calls.exportSheet(runId, { ...bare, step: 4, classes: [0], perClass: 1 })
    const sheet = await studio.calls.exportSheet(runId, { ...bare, step: 2, weights: 'raw' })
    const gallery = (await studio.calls.getSampleSheet(runId, 2, 'raw'))!
    const cell = gridCell(32)
    expect([sheet.width, sheet.height]).toEqual([12 + 8 * cell + 7 * 2 + 12, 12 + 10 * cell + 9 * 2 + 12])
    const a = await pixels(sheet.bytes)
    const b = await pixels(gallery.png)
    // Same padding (2) as the gallery grid: crop the export's margins away and compare every pixel.
    const grid = await sharp(a.data, { raw: a.info }).extract({ left: 12, top: 12, width: b.info.width, height: b.info.height }).raw().toBuffer()
    let differing = 0
    for (let i = 0; i < grid.length; i += 3) {
      const x = (i / 3) % b.info.width
      const y = Math.floor(i / 3 / b.info.width)
      const inGap = x % (cell + 2) >= cell || y % (cell + 2) >= cell
      if (!inGap && grid[i] !== b.data[i]) differing++
    }
    expect(differing).toBe(0)
    expect(sheet).toMatchObject({ steps: [2], weights: 'raw', seed: 1, mime: 'image/png', fileName: 'export-test-grid-step2.png' })
  })

  it('gives byte-identical files for the same options, and different ones for another seed', async () => {
    const options: SheetOptions = { kind: 'grid', classes: [3, 1], perClass: 4, seed: 11, truncation: 0.7, cell: 40, background: '#202020' }
    const first = await studio.calls.exportSheet(runId, options)
    const again = await studio.calls.exportSheet(runId, options)
    expect(Buffer.compare(first.bytes, again.bytes)).toBe(0)
    const other = await studio.calls.exportSheet(runId, { ...options, seed: 12 })
    expect(Buffer.compare(first.bytes, other.bytes)).not.toBe(0)
    // Defaults: the newest checkpoint (no FID yet) and EMA weights.
    expect(first).toMatchObject({ steps: [4], weights: 'ema', seed: 11 })
    const meta = await sharp(first.bytes).metadata()
    expect([meta.width, meta.height]).toEqual([first.width, first.height])
  })

  it('lays a timeline out with one column per checkpoint, and an interpolation with one per frame', async () => {
    const timeline = await studio.calls.exportSheet(runId, { ...bare, kind: 'timeline', classes: [0, 5], perClass: 2 })
    expect(timeline.steps).toEqual([2, 4])
    expect([timeline.width, timeline.height]).toEqual([12 + 2 * 64 + 2 + 12, 12 + 4 * 64 + 3 * 2 + 12])
    const interp = await studio.calls.exportSheet(runId, { ...bare, kind: 'interp', classes: [2], frames: 6, format: 'webp' })
    expect([interp.width, interp.height]).toEqual([12 + 6 * 64 + 5 * 2 + 12, 12 + 64 + 12])
    expect((await sharp(interp.bytes).metadata()).format).toBe('webp')
    expect(interp.fileName).toBe('export-test-interp-step4.webp')
  })

  it('draws sheets of different checkpoints asked for at the same time, one after the other', async () => {
    const sheets = await Promise.all([2, 4, 2].map((step) => studio.calls.exportSheet(runId, { ...bare, step, classes: [0], perClass: 2 })))
    expect(sheets.map((s) => s.steps[0])).toEqual([2, 4, 2])
    expect(Buffer.compare(sheets[0].bytes, sheets[2].bytes)).toBe(0)
  })

  it('saves through the desktop save dialog in the format the chosen name says, and writes nothing when cancelled', async () => {
    dialogAnswer = join(studio.dataDir, 'picked.jpg')
    const saved = await studio.calls.saveSheet(runId, { classes: [1] })
    expect(offered.at(-1)).toBe('export-test-grid-step4.png')
    expect(saved?.path).toBe(dialogAnswer)
    expect((await sharp(readFileSync(dialogAnswer)).metadata()).format).toBe('jpeg')
    dialogAnswer = null
    expect(await studio.calls.saveSheet(runId, { classes: [2] })).toBeNull()
    expect((await studio.calls.getAppInfo()).canSaveFile).toBe(true)
  })

  it('exports the generator under the data folder when there is no native dialog (browser host)', async () => {
    const model = await studio.calls.exportModel(runId, 2)
    expect(model).toMatchObject({ dir: join(studio.dataDir, 'exports', 'export-test-step2-generator'), step: 2 })
    expect(model!.files.map((f) => basename(f))).toEqual(expect.arrayContaining(['sagan-generator.json', 'HOW-TO-SAMPLE.md', 'model.json']))
    expect(JSON.parse(readFileSync(join(model!.dir, 'sagan-generator.json'), 'utf8'))).toMatchObject({
      runName: 'Export test',
      step: 2,
      weights: ['raw', 'ema'],
      classes: expect.arrayContaining(['7-Sneaker']),
    })
    await expect(studio.calls.exportModel(runId, 3)).rejects.toMatchObject({ subject: 'step', message: 'Step 3 has no kept checkpoint. Kept: 2, 4.' })
    // The export worker's failure reaches the caller with its reason.
    const file = join(studio.dataDir, 'a-file')
    writeFileSync(file, '')
    await expect(studio.calls.writeModel(runId, join(file, 'generator'))).rejects.toThrow(/ENOTDIR|not a directory|EEXIST/)
  })

  it('refuses what it cannot draw, naming the field', async () => {
    await expect(studio.calls.exportSheet(runId, { step: 3 })).rejects.toMatchObject({ subject: 'step', message: 'Step 3 has no kept checkpoint. Kept: 2, 4.' })
    await expect(studio.calls.exportSheet(runId, { classes: [10] })).rejects.toMatchObject({
      subject: 'classes',
      message: expect.stringMatching(/no class 10: this run has 10 classes .*T-shirt/),
    })
    await expect(studio.calls.exportSheet(runId, { kind: 'interp', perClass: 64, frames: 32 })).rejects.toMatchObject({
      subject: 'perClass',
      message: expect.stringMatching(/needs 20480 images; the limit is 2048/),
    })
    await expect(studio.calls.exportSheet(runId, { perClass: 40, cell: 512 })).rejects.toMatchObject({
      subject: 'cell',
      message: expect.stringMatching(/limit is 16000 px a side/),
    })
    await expect(studio.calls.exportSheet(runId, { cell: 16 })).rejects.toMatchObject({
      subject: 'cell',
      message: 'The cell (16 px) is smaller than the images (32 px).',
    })
    await expect(studio.calls.exportSheet(runId, { kind: 'timeline', steps: [2, 3] })).rejects.toMatchObject({
      subject: 'steps',
      message: 'Step 3 has no kept checkpoint. Kept: 2, 4.',
    })
    await expect(studio.calls.exportSheet(runId, { background: 'red' } as never)).rejects.toMatchObject({ code: 'invalid-argument', subject: 'background' })
  })
})
