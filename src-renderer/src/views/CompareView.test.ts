import { render, screen, waitFor } from '@testing-library/svelte'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { TrainingStore } from '../../../src-main/store/training-store'
import { sampleRun } from '../../../src-main/testing/studio-fixture'
import type { MetricValue } from '../../../src-shared/metrics'
import '../test/canvas-stub'
import { realStudioConnection } from '../test/real-studio'
import CompareView from './CompareView.svelte'

let cleanup: (() => void) | undefined
afterEach(() => cleanup?.())

const fid = (step: number, value: number, nFake = 2000): MetricValue => ({
  step,
  name: 'fid',
  value,
  extractor: 'dataset-classifier',
  nReal: 1200,
  nFake,
  imageSize: 32,
  resize: 'none',
})

describe('Compare view', () => {
  it("draws only runs whose FID was computed the same way, and shows every run's latest sheet", async () => {
    const { studio, connection } = realStudioConnection()
    cleanup = () => void studio.dispose()
    const training = new TrainingStore(studio.db)
    const png = new Uint8Array(
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } })
        .png()
        .toBuffer(),
    )
    const a = studio.runs.create({ ...sampleRun, name: 'with attention' })
    const b = studio.runs.create({ ...sampleRun, name: 'no attention', ablation: 'no-attention' })
    const c = studio.runs.create({ ...sampleRun, name: 'few samples' })
    training.saveMetrics(a.id, [fid(250, 60), fid(500, 41)])
    training.saveMetrics(b.id, [fid(250, 64), fid(500, 52)])
    training.saveMetrics(c.id, [fid(250, 70, 500)])
    training.saveSamples(a.id, 500, 'ema', png, 8)
    render(CompareView, { connection, ids: [a.id, b.id, c.id] })
    await waitFor(() => expect(screen.getAllByTestId('compare-sheet')).toHaveLength(3))
    expect(screen.getByTestId('compare-basis').textContent).toContain('2000 generated vs 1200 real')
    expect(screen.getByText(/Not on the chart: few samples/)).toBeTruthy()
    expect(screen.getByAltText('Latest samples of with attention')).toBeTruthy()
    expect(screen.getAllByTestId('compare-sheet')[1].textContent).toContain('no samples yet')
    expect(screen.getAllByTestId('compare-best').map((e) => e.textContent)).toEqual([
      'Best: FID 41.00 at step 500 (dataset classifier features)',
      'Best: FID 52.00 at step 500 (dataset classifier features)',
      'Best: FID 70.00 at step 250 (dataset classifier features)',
    ])
  })

  it('compares conditional runs by intra-FID, the metric their best checkpoints are picked by', async () => {
    const { studio, connection } = realStudioConnection()
    cleanup = () => void studio.dispose()
    const training = new TrainingStore(studio.db)
    const conditional = { ...sampleRun, config: { steps: 10, numClasses: 2 } }
    const a = studio.runs.create({ ...conditional, name: 'a' })
    const b = studio.runs.create({ ...conditional, name: 'b' })
    for (const [run, values] of [
      [a, [3.2, 3.8]],
      [b, [9.7, 5.7]],
    ] as const) {
      studio.runs.setDataset(run.id, 'fp', { classes: [{ name: 'x' }, { name: 'y' }] })
      training.saveMetrics(
        run.id,
        [250, 500].flatMap((step, i) => [fid(step, 1), { ...fid(step, values[i]), name: 'intra_fid' as const }]),
      )
    }
    render(CompareView, { connection, ids: [a.id, b.id] })
    await waitFor(() => expect(screen.getAllByTestId('compare-best')).toHaveLength(2))
    expect(screen.getByRole('heading', { name: 'intra-FID over training' })).toBeTruthy()
    expect(screen.getAllByTestId('compare-best')[1].textContent).toBe('Best: intra-FID 5.70 at step 500 (dataset classifier features)')
  })
})
