import { render, screen } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import type { MetricValue } from '../../../src-shared/metrics'
import '../test/canvas-stub'
import MetricCurves from './MetricCurves.svelte'

const base = { extractor: 'dataset-classifier', extractorDetail: 'held-out accuracy 80%', nReal: 1200, nFake: 2000, imageSize: 32, resize: 'none' } as const
const at = (step: number, fid: number): MetricValue[] => [
  { ...base, step, name: 'fid', value: fid },
  { ...base, step, name: 'kid', value: fid / 100, std: 0.001 },
  { ...base, step, name: 'class_fid', value: fid * 2, classIndex: 0 },
  { ...base, step, name: 'class_fid', value: fid, classIndex: 1 },
]

describe('FID and KID panel', () => {
  it('says when the first evaluation will run before there is any value', () => {
    render(MetricCurves, { metrics: [], classNames: [], evalEvery: 250 })
    expect(screen.getByTestId('metrics-empty').textContent).toContain('step 250')
  })

  it('names the features and sample counts behind the values, and says they are not Inception FIDs', () => {
    render(MetricCurves, { metrics: [...at(250, 40), ...at(500, 30)], classNames: ['Trouser', 'Bag'], evalEvery: 250 })
    const provenance = screen.getByTestId('metric-provenance').textContent ?? ''
    expect(provenance).toContain('dataset classifier features')
    expect(provenance).toContain('not comparable to published Inception FIDs')
    expect(provenance).toContain('2000 generated vs 1200 real')
  })

  it('draws per-class FID bars of the latest evaluation with class names', () => {
    render(MetricCurves, { metrics: [...at(250, 40), ...at(500, 30)], classNames: ['Trouser', 'Bag'], evalEvery: 250 })
    const bars = screen.getByTestId('class-fid-bars').textContent ?? ''
    expect(bars).toContain('Trouser')
    expect(bars).toContain('60.00')
    expect(bars).toContain('Bag')
    expect(bars).not.toContain('80.00')
  })
})
