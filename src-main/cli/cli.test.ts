// The built CLI as a user runs it: real process, real data folder.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { APP_VERSION } from '../../src-shared/version'
import { maxDifference } from '../engine/testing/numerics'
import { openDatabase } from '../store/database'
import { RunStore } from '../store/run-store'
import { sampleRun } from '../testing/studio-fixture'

const CLI = join(import.meta.dirname, '..', '..', 'out', 'main', 'cli.js')
let dataDir: string
beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'sagan-cli-'))))
afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

function cliWith(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args, ...(args.includes('--help') || args.includes('--version') ? [] : ['--data-dir', dataDir])], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
const cli = (...args: string[]) => cliWith({}, ...args)

/** Largest difference of any pixel channel between two images of the same size. */
async function pixelDifference(a: string, b: string): Promise<number> {
  const [pa, pb] = await Promise.all([a, b].map((f) => sharp(readFileSync(f)).raw().toBuffer()))
  return maxDifference(pa, pb)
}

describe('sagan-studio CLI', () => {
  it('prints its version and help', () => {
    expect(cli('--version').out.trim()).toBe(APP_VERSION)
    const help = cli('--help').out
    for (const command of ['serve', 'train', 'resume', 'dataset', 'runs']) expect(help).toContain(command)
  })

  it('lists and shows runs from the data folder, as a table or JSON', () => {
    const db = openDatabase(join(dataDir, 'studio.sqlite'))
    const run = new RunStore(db).create({ ...sampleRun, name: 'from the store' })
    db.close()
    expect(cli('runs', 'list').out).toMatch(/from the store\s+created/)
    expect(JSON.parse(cli('runs', 'list', '--json').out)).toEqual([expect.objectContaining({ id: run.id, name: 'from the store' })])
    expect(JSON.parse(cli('runs', 'show', run.id, '--json').out)).toMatchObject({ id: run.id, config: { steps: 10 } })
  })

  it('says clearly when a run id does not exist, and exits non-zero', () => {
    const r = cli('runs', 'show', 'abcdef123456')
    expect(r.code).toBe(1)
    expect(r.err).toContain('No run with id abcdef123456')
  })

  it('checks a dataset: exit 0 when trainable, 2 when nothing is', () => {
    const demo = cli('dataset', 'check', 'demo', '--json')
    expect(demo.code).toBe(0)
    expect(JSON.parse(demo.out)).toMatchObject({ trainable: true, conditional: true, totals: { images: 1200 } })
    const empty = mkdtempSync(join(tmpdir(), 'sagan-empty-'))
    try {
      const r = cli('dataset', 'check', empty)
      expect(r.code).toBe(2)
      expect(r.out).toContain('NOT trainable')
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it("evaluates a run's checkpoint against its dataset and stores the labelled values with the run", () => {
    expect(cli('train', '--data', 'demo', '--steps', '2', '--batch-size', '4', '--json').code).toBe(0)
    const [run] = JSON.parse(cli('runs', 'list', '--json').out) as { id: string }[]
    const r = cli('fid', run.id, '--samples', '100', '--json')
    expect(r.code, r.err).toBe(0)
    const result = JSON.parse(r.out) as { step: number; values: { name: string; value: number; extractor: string; nFake: number }[] }
    expect(result.step).toBe(2)
    const fid = result.values.find((v) => v.name === 'fid')!
    expect(fid).toMatchObject({ extractor: 'dataset-classifier', nFake: 100 })
    expect(fid.value).toBeGreaterThan(1) // two steps of training are far from the real images
    const intra = result.values.find((v) => v.name === 'intra_fid')!
    expect(JSON.parse(cli('runs', 'show', run.id, '--json').out).best).toMatchObject({
      metric: 'intra_fid',
      step: 2,
      extractor: 'dataset-classifier',
      value: intra.value,
    })
    expect(cli('runs', 'show', run.id).out).toMatch(/best\s+intra-FID \d+\.\d{3} at step 2 \(dataset classifier features\)/)
  })

  it('renames, annotates, clones and deletes runs; deleting needs a confirmation', () => {
    expect(cli('train', '--data', 'demo', '--steps', '1', '--batch-size', '4', '--json').code).toBe(0)
    const [run] = JSON.parse(cli('runs', 'list', '--json').out) as { id: string; diskBytes: number }[]
    expect(run.diskBytes).toBeGreaterThan(0)
    expect(cli('runs', 'rename', run.id, 'first try').code).toBe(0)
    expect(cli('runs', 'notes', run.id, 'lr too high?').code).toBe(0)
    expect(JSON.parse(cli('runs', 'show', run.id, '--json').out)).toMatchObject({ name: 'first try', notes: 'lr too high?' })

    const clone = cli('runs', 'clone', run.id, '--json')
    expect(clone.code, clone.err).toBe(0)
    const listed = JSON.parse(cli('runs', 'list', '--json', '--sort', 'name', '--asc').out) as {
      id: string
      name: string
      status: string
      targetSteps: number
    }[]
    expect(listed.map((r) => r.name)).toEqual(['first try', 'first try (copy)'])
    expect(listed[1]).toMatchObject({ status: 'completed', targetSteps: 1 })

    const refused = cli('runs', 'delete', run.id)
    expect(refused.code).toBe(1)
    expect(refused.err).toContain('--yes')
    expect(cli('runs', 'delete', run.id, '--yes').code).toBe(0)
    expect((JSON.parse(cli('runs', 'list', '--json').out) as unknown[]).length).toBe(1)
  })

  it('exports a labelled sheet as the user asks, the same bytes every time, and refuses bad flags by name', async () => {
    expect(cli('train', '--data', 'demo', '--steps', '2', '--batch-size', '4', '--json').code).toBe(0)
    const [run] = JSON.parse(cli('runs', 'list', '--json').out) as { id: string }[]
    const out = join(dataDir, 'sheet.png')
    const flags = ['--classes', 'sneaker,Bag,0', '--per-class', '3', '--seed', '5', '--truncation', '0.8', '--raw']
    const r = cli('export', run.id, '--out', out, ...flags)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/^wrote .*sheet\.png \(\d+ x \d+ png, step 2, raw weights, seed 5\)/)
    const first = readFileSync(out)
    expect(cli('export', run.id, '--out', out, ...flags).code).toBe(0)
    expect(Buffer.compare(first, readFileSync(out))).toBe(0)
    // Three class rows of three 64 px cells, with a header and a footer.
    const meta = await sharp(first).metadata()
    expect(meta.height).toBeGreaterThan(3 * 64 + 40)

    const jpeg = join(dataDir, 'timeline.jpg')
    expect(cli('export', run.id, '--out', jpeg, '--sheet', 'timeline', '--no-labels').code).toBe(0)
    expect((await sharp(readFileSync(jpeg)).metadata()).format).toBe('jpeg')

    const badName = cli('export', run.id, '--out', out, '--classes', 'Sneaker,Boots')
    expect([badName.code, badName.err]).toEqual([1, expect.stringContaining('no class named "Boots"')])
    expect(cli('export', run.id, '--out', join(dataDir, 'x.gif')).err).toContain('--out')
    expect(cli('export', run.id, '--out', out, '--step', '1').err).toContain('Step 1 has no kept checkpoint. Kept: 2.')

    // The generator taken elsewhere and brought back draws the very same sheet, byte for byte, where
    // the run's convolutions run TF.js's kernels as the graph model's do. Through oneDNN (the default
    // where native/dnnl is built) they sum in another order: a rare pixel differs by one level.
    const model = join(dataDir, 'generator')
    const exported = cli('export', run.id, '--model', model)
    expect(exported.code, exported.err).toBe(0)
    expect(exported.out).toContain('HOW-TO-SAMPLE.md')
    const same = ['--per-class', '4', '--seed', '3', '--no-header', '--no-footer']
    const [fromRun, fromModel, fromRunNative] = ['from-run.png', 'from-model.png', 'from-run-native.png'].map((f) => join(dataDir, f))
    const tfjsKernels = { SAGAN_NATIVE: 'off' }
    for (const weights of ['--raw', '--ema']) {
      expect(cliWith(tfjsKernels, 'export', run.id, '--out', fromRun, weights, ...same).code).toBe(0)
      const imported = cli('export', '--from-model', model, '--out', fromModel, weights, ...same)
      expect(imported.code, imported.err).toBe(0)
      expect(Buffer.compare(readFileSync(fromRun), readFileSync(fromModel))).toBe(0)
      expect(cli('export', run.id, '--out', fromRunNative, weights, ...same).code).toBe(0)
      expect(await pixelDifference(fromRunNative, fromModel)).toBeLessThanOrEqual(1)
    }
    expect(cli('export', '--from-model', dataDir, '--out', out).err).toContain('sagan-generator.json: not found')
  })

  it('compares two folders: a folder against a copy of itself has an FID near zero', () => {
    const r = cli('fid', '--real', 'resources/demo-dataset/fashion-mnist', '--fake', 'resources/demo-dataset/fashion-mnist', '--json')
    expect(r.code, r.err).toBe(0)
    const values = (JSON.parse(r.out) as { values: { name: string; value: number }[] }).values
    expect(Math.abs(values.find((v) => v.name === 'fid')!.value)).toBeLessThan(0.01)
  })

  it('explains a missing Inception model instead of computing anything under its name', () => {
    const demo = 'resources/demo-dataset/fashion-mnist'
    const r = cli('fid', '--real', demo, '--fake', demo, '--inception', join(dataDir, 'no-model'))
    expect(r.code).toBe(1)
    expect(r.err).toContain('model.json not found')
    expect(r.out).not.toContain('Inception')
  })

  it('trains data-parallel with --replicas (the run names its replicas); a count that does not divide the batch is refused', () => {
    const r = cli('train', '--data', 'demo', '--steps', '2', '--batch-size', '8', '--replicas', '2', '--name', 'pair', '--json')
    expect(r.code, r.err).toBe(0)
    const runs = JSON.parse(cli('runs', 'list', '--json').out) as { name: string; backend: string; step: number }[]
    expect(runs.find((run) => run.name === 'pair')).toMatchObject({ backend: 'wasm × 2', step: 2 })
    const bad = cli('train', '--data', 'demo', '--steps', '2', '--batch-size', '8', '--replicas', '3')
    expect(bad.code).not.toBe(0)
    expect(bad.err).toContain('batchSize 8 does not split into 3 equal shares')
  })

  it('refuses bad numbers with a message naming the option', () => {
    const r = cli('train', '--data', 'demo', '--steps', '0')
    expect(r.code).not.toBe(0)
    expect(r.err).toMatch(/--steps.*at least 1/)
  })
})
