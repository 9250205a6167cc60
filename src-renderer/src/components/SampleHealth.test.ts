import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { TrainingStore } from '../../../src-main/store/training-store'
import { sampleRun } from '../../../src-main/testing/studio-fixture'
import type { SampleHealth as Report } from '../../../src-shared/sample-health'
import '../test/canvas-stub'
import { realStudioConnection } from '../test/real-studio'
import SampleHealth from './SampleHealth.svelte'

let cleanup: (() => void) | undefined
afterEach(() => cleanup?.())

const report = (step: number, fraction: number, ratio: number): Report => ({
  step,
  weights: 'ema',
  extractor: 'dataset-classifier',
  extractorDetail: 'held-out accuracy 72.5% on 120',
  grid: { count: 4, columns: 2 },
  nReal: 1200,
  duplicates: {
    threshold: 1.5,
    quantile: 0.01,
    pairsChecked: 2,
    fraction,
    pairs: fraction > 0 ? [{ a: 0, b: 1, distance: 0.2 }] : [],
    samples: fraction > 0 ? [0, 1] : [],
    warning:
      fraction > 0
        ? 'Possible mode collapse: 50% of same-class pairs in the fixed-noise grid (1 of 2) are closer than the closest 1% of same-class real pairs.'
        : null,
  },
  memorisation: { ratio, medianNearestReal: ratio * 2, realMedianNearest: 2, nFake: 1000 },
})

describe('Sample health panel', () => {
  it('warns of collapse, outlines the duplicate samples, and shows a clicked sample next to its nearest training images', async () => {
    const { studio, connection } = realStudioConnection()
    cleanup = () => void studio.dispose()
    const run = studio.runs.create({ ...sampleRun, config: { steps: 10, numClasses: 2 } })
    const training = new TrainingStore(studio.db)
    const png = new Uint8Array(
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } })
        .png()
        .toBuffer(),
    )
    const neighbours = (sample: number) => [0, 1, 2].map((rank) => ({ sample, rank, realIndex: 10 * sample + rank, classIndex: 1, distance: 0.5 + rank, png }))
    training.health.save(run.id, report(250, 0, 1.3), png, [0, 1, 2, 3].flatMap(neighbours))
    training.health.save(run.id, report(500, 0.5, 0.6), png, [0, 1, 2, 3].flatMap(neighbours))

    render(SampleHealth, { connection, runId: run.id, classNames: ['T-shirt', 'Trouser'], version: 0 })
    expect((await screen.findByTestId('collapse-warning')).textContent).toMatch(/^Possible mode collapse: 50% .* Outlined below\.$/)
    expect(screen.getByTestId('health-summary').textContent).toMatch(
      /Step 500 .*dataset classifier features.*50\.0% of\s+2 same-class grid pairs.*ratio 0\.60 .*likely copying/s,
    )
    await screen.findByTestId('health-grid')
    const duplicates = screen.getAllByRole('button', { name: /near-duplicate/ }).map((b) => b.getAttribute('aria-label'))
    expect(duplicates).toEqual(['T-shirt 1: near-duplicate: show its nearest training images', 'T-shirt 2: near-duplicate: show its nearest training images'])

    await fireEvent.click(screen.getByRole('button', { name: 'Trouser 2: show its nearest training images' }))
    await waitFor(() => expect(screen.getAllByTestId('nearest-distance')).toHaveLength(3))
    expect(screen.getAllByTestId('nearest-distance').map((e) => e.textContent)).toEqual(['d = 0.50 (0.25×)', 'd = 1.50 (0.75×)', 'd = 2.50 (1.25×)'])
    expect(screen.getByAltText('Training image 30, nearest 1')).toBeTruthy()
    expect(screen.getByRole('img', { name: 'Generated sample 4 (Trouser)' })).toBeTruthy()

    // An earlier evaluation without duplicates: no warning.
    await fireEvent.change(screen.getByRole('combobox', { name: 'Evaluation' }), { target: { value: '250' } })
    await waitFor(() => expect(screen.queryByTestId('collapse-warning')).toBeNull())
  })

  it('says what it will check before the first evaluation', async () => {
    const { studio, connection } = realStudioConnection()
    cleanup = () => void studio.dispose()
    const run = studio.runs.create(sampleRun)
    render(SampleHealth, { connection, runId: run.id, classNames: [], version: 0 })
    expect((await screen.findByTestId('health-empty')).textContent).toContain('near-duplicates within the fixed-noise grid')
  })
})
