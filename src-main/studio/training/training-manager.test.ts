// A real run through the real service: tsx-loaded training worker, wasm
// backend, the demo dataset, a real SQLite file. Tiny settings keep it short.
import sharp from 'sharp'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { StudioEvents } from '../../../src-shared/contract'
import { runStatusLabel, type RunSummary } from '../../../src-shared/runs'
import { openStudioParts } from '../open-studio'
import { tempStudio, type TempStudio } from '../../testing/studio-fixture'

const tiny = { steps: 3, batchSize: 4, gCh: 8, dCh: 8, sampleEvery: 2, checkpointEvery: { steps: 2 }, evalEvery: 0 }

let studio: TempStudio
afterEach(async () => studio?.dispose())

function record(s: TempStudio) {
  const seen: { name: keyof StudioEvents; payload: unknown }[] = []
  s.events.subscribe((name, args) => seen.push({ name, payload: args[0] }))
  return seen
}

describe('training a run through the studio service', () => {
  it('trains one run at a time in a data folder: a second start queues, visibly, and starts by itself', async () => {
    studio = tempStudio()
    const seen = record(studio)
    const first = await studio.calls.startRun({ datasetPath: 'demo', preset: 'quick', overrides: { ...tiny, steps: 2 } })
    const second = await studio.calls.startRun({ datasetPath: 'demo', preset: 'quick', overrides: { ...tiny, steps: 2 } })
    const queued = studio.runs.get(second.id)
    expect(queued).toMatchObject({
      status: 'created',
      statusCode: 'queued',
      statusReason: expect.stringContaining(`one run trains at a time in this data folder ("${first.name}" now)`),
    })
    expect(runStatusLabel(queued)).toBe('queued')
    await expect(studio.calls.deleteRun(second.id)).rejects.toMatchObject({ code: 'conflict' })
    expect(await studio.trainer.waitFor(first.id)).toBe('completed')
    expect(await studio.trainer.waitFor(second.id)).toBe('completed')
    // It trained only after the first had ended.
    const statuses = seen.filter((e) => e.name === 'runUpdated').map((e) => e.payload as RunSummary)
    const firstDone = statuses.findIndex((r) => r.id === first.id && r.status === 'completed')
    const secondRunning = statuses.findIndex((r) => r.id === second.id && r.status === 'running')
    expect(firstDone).toBeGreaterThanOrEqual(0)
    expect(secondRunning).toBeGreaterThan(firstDone)
    expect(studio.db.prepare('SELECT COUNT(*) FROM training_lease').pluck().get()).toBe(0)
  })

  it('trains in a worker and stores checkpoints, sample sheets and the loss log', async () => {
    studio = tempStudio()
    const seen = record(studio)
    const run = await studio.calls.startRun({ datasetPath: 'demo', preset: 'quick', overrides: tiny })
    expect(run.status).toBe('created')
    expect(await studio.trainer.waitFor(run.id)).toBe('completed')

    const done = await studio.calls.getRun(run.id)
    expect(done).toMatchObject({ status: 'completed', step: 3, targetSteps: 3, backend: expect.stringMatching(/wasm|cpu|tensorflow/) })
    expect(done.durationMs).toBeGreaterThan(0)
    const log = await studio.calls.getTrainingLog(run.id)
    expect(log.length).toBeGreaterThan(0)
    for (const p of log) expect(Number.isFinite(p.dLossReal + p.dLossFake + p.gLoss)).toBe(true)
    expect(log.at(-1)!.gammas.map((g) => g.layer)).toEqual(expect.arrayContaining([expect.stringMatching(/^G\./)]))
    // The demo has 1 200 images: DiffAugment is on by default, and every log point carries r_t.
    expect(done.config.augment.policy).toBe('diffaugment')
    for (const p of log) expect(Math.abs(p.realSign!)).toBeLessThanOrEqual(1)
    const sigmas = await studio.calls.getSpectralNorms(run.id)
    expect(sigmas.map((p) => p.step)).toEqual([2]) // read with each sample sheet
    expect(sigmas[0].sigmas.map((s) => s.layer)).toEqual(expect.arrayContaining(['G.linear.w', 'D.linear.w']))
    for (const s of sigmas[0].sigmas) expect(s.sigma).toBeGreaterThan(0)

    expect(await studio.calls.getSampleSteps(run.id, 'ema')).toEqual([2])
    expect(await studio.calls.getSampleSteps(run.id, 'raw')).toEqual([2])
    const sheet = await studio.calls.getSampleSheet(run.id, 2, 'ema')
    expect(sheet?.classNames).toHaveLength(10)
    expect(sheet?.perClass).toBe(8)
    expect(Buffer.from(sheet!.png.subarray(1, 4)).toString()).toBe('PNG')

    const statuses = seen.filter((e) => e.name === 'runUpdated').map((e) => (e.payload as { status: string }).status)
    expect(statuses).toEqual(expect.arrayContaining(['running', 'completed']))
    expect(seen.some((e) => e.name === 'runProgress')).toBe(true)
    expect(seen.some((e) => e.name === 'samplesSaved')).toBe(true)
    expect(seen.some((e) => e.name === 'spectralNormsLogged')).toBe(true)
    expect(seen.filter((e) => e.name === 'checkpointSaved').map((e) => (e.payload as { step: number }).step)).toEqual(expect.arrayContaining([2, 3]))
  })

  it('evaluates FID and KID on its own thread during training, each value labelled with how it was computed', async () => {
    studio = tempStudio()
    const seen = record(studio)
    const evaluated = { ...tiny, evalSamples: 100, sampleEvery: 100, checkpointEvery: { steps: 100 } }
    // The first run trains the dataset's feature extractor (tens of seconds) and caches it...
    const first = await studio.calls.startRun({ datasetPath: 'demo', overrides: { ...evaluated, steps: 2, evalEvery: 2 } })
    await studio.trainer.waitFor(first.id)
    // ...so the next run on the same folder evaluates within seconds of starting.
    const run = await studio.calls.startRun({ datasetPath: 'demo', overrides: { ...evaluated, steps: 16, evalEvery: 4 } })
    expect(await studio.trainer.waitFor(run.id)).toBe('completed')
    const metrics = await studio.calls.getMetrics(run.id)
    const fid = metrics.filter((m) => m.name === 'fid')
    expect(fid.length).toBeGreaterThan(0)
    for (const m of fid) {
      expect(m).toMatchObject({ extractor: 'dataset-classifier', nFake: 100, imageSize: expect.any(Number), resize: expect.any(String) })
      expect(m.value).toBeGreaterThan(0)
    }
    expect(metrics.some((m) => m.name === 'kid' && m.std !== undefined)).toBe(true)
    expect(metrics.filter((m) => m.name === 'class_fid')).toHaveLength(10 * fid.length)
    // The demo is conditional: its best is by intra-FID, with the features it was computed with.
    const intra = metrics.filter((m) => m.name === 'intra_fid')
    const best = intra.reduce((a, b) => (b.value <= a.value ? b : a))
    expect((await studio.calls.getRun(run.id)).best).toEqual({ metric: 'intra_fid', value: best.value, step: best.step, extractor: 'dataset-classifier' })
    expect(seen.some((e) => e.name === 'metricComputed')).toBe(true)
    // Sample health rides on the same evaluations: the gallery's grid, its duplicates, its nearest training images.
    const health = await studio.calls.getSampleHealth(run.id)
    expect(health.map((h) => h.step)).toEqual(fid.map((m) => m.step))
    const last = health.at(-1)!
    expect(last).toMatchObject({ extractor: 'dataset-classifier', weights: 'ema', grid: { count: 80, columns: 8 }, nReal: 1200 })
    expect(last.duplicates.pairsChecked).toBe(10 * 28)
    expect(last.memorisation.nFake).toBe(100)
    expect(metrics.filter((m) => m.name === 'nearest_real_ratio').map((m) => m.value)).toEqual(health.map((h) => h.memorisation.ratio))
    const isPng = (b: Uint8Array | undefined) => b !== undefined && b[0] === 0x89 && b[1] === 0x50
    expect(isPng((await studio.calls.getSampleHealthGrid(run.id, last.step))?.png)).toBe(true)
    const view = (await studio.calls.getNearestReal(run.id, last.step, 9))!
    expect(view).toMatchObject({ sample: 9, classIndex: 1, nReal: 1200 })
    expect(view.neighbours.map((n) => n.rank)).toEqual([0, 1, 2])
    expect(view.neighbours.every((n, i) => isPng(n.png) && (i === 0 || n.distance >= view.neighbours[i - 1].distance))).toBe(true)
  })

  it('pauses with the reason when the disk is full, keeps the database whole, and resumes once there is room', async () => {
    studio = tempStudio()
    // A real SQLITE_FULL: cap the database a little above its current size.
    const pages = studio.db.pragma('page_count', { simple: true }) as number
    studio.db.pragma(`max_page_count = ${pages + 64}`)
    const run = await studio.calls.startRun({ datasetPath: 'demo', overrides: { ...tiny, steps: 4, checkpointEvery: { steps: 1 } } })
    await vi.waitFor(() => expect(studio.runs.get(run.id).status).toBe('paused'), { timeout: 60_000, interval: 200 })
    expect(studio.runs.get(run.id)).toMatchObject({ statusCode: 'disk-full', statusReason: expect.stringMatching(/disk .*full.*free some space, then resume/) })
    expect(studio.db.pragma('integrity_check', { simple: true })).toBe('ok')

    studio.db.pragma('max_page_count = 1073741823')
    await studio.calls.resumeRun(run.id)
    expect(await studio.trainer.waitFor(run.id)).toBe('completed')
    expect(studio.runs.get(run.id)).toMatchObject({ status: 'completed', step: 4 })
  })

  it("shows where the generator's last attention layer looks from a pixel of a gallery sample", async () => {
    studio = tempStudio()
    const run = await studio.calls.startRun({ datasetPath: 'demo', overrides: { ...tiny, steps: 2, checkpointEvery: { steps: 2 } } })
    await studio.trainer.waitFor(run.id)
    const view = await studio.calls.getAttention(run.id, { step: 2, row: 1, column: 3, x: 5, y: 7, weights: 'ema' })
    expect(view).toMatchObject({ step: 2, layer: 'G.attention32', variant: 'pooled', keyWidth: 16, keyHeight: 16, size: 256, query: { x: 5, y: 7 } })
    for (const png of [view.image, view.heatmap]) {
      const meta = await sharp(png).metadata()
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 256])
    }
    // Another pixel of the same sample: another map from the same loaded checkpoint.
    const other = await studio.calls.getAttention(run.id, { step: 2, row: 1, column: 3, x: 30, y: 30, weights: 'ema' })
    expect(Buffer.from(other.image).equals(Buffer.from(view.image))).toBe(true)
    expect(Buffer.from(other.heatmap).equals(Buffer.from(view.heatmap))).toBe(false)
    await expect(studio.calls.getAttention(run.id, { step: 2, row: 10, column: 0, x: 0, y: 0, weights: 'ema' })).rejects.toMatchObject({
      code: 'invalid-argument',
    })
  })

  it('refuses invalid settings by field name and creates no run', async () => {
    studio = tempStudio()
    await expect(studio.calls.startRun({ datasetPath: 'demo', overrides: { batchSize: 0 } })).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining('batchSize'),
    })
    await expect(studio.calls.startRun({ datasetPath: '/no/such/folder', overrides: tiny })).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining('/no/such/folder'),
    })
    expect(studio.runs.list()).toEqual([])
  })

  it('marks a run left running by a dead process as interrupted, and resumes it from its last checkpoint', async () => {
    studio = tempStudio()
    const run = await studio.calls.startRun({ datasetPath: 'demo', overrides: { ...tiny, steps: 2 } })
    await studio.trainer.waitFor(run.id)
    // Simulate a crash after step 2: the row says running, the process is gone.
    studio.runs.setStatus(run.id, 'running')
    await studio.close()
    const reopened = openStudioParts({ dataDir: studio.dataDir, host: 'browser' })
    try {
      expect(reopened.runs.get(run.id).status).toBe('interrupted')
      await reopened.calls.resumeRun(run.id, 1)
      expect(await reopened.trainer.waitFor(run.id)).toBe('completed')
      const resumed = reopened.runs.get(run.id)
      expect(resumed).toMatchObject({ status: 'completed', step: 3, targetSteps: 3 })
      const steps = (await reopened.calls.getTrainingLog(run.id)).map((p) => p.step)
      expect(new Set(steps).size).toBe(steps.length)
      expect(steps.at(-1)).toBe(3)
    } finally {
      await reopened.close()
    }
  })
})
