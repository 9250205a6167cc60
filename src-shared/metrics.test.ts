import { describe, expect, it } from 'vitest'
import { metricCurveKey, metricLabel, MetricValueSchema, type MetricValue } from './metrics'

const fid: MetricValue = {
  step: 100,
  name: 'fid',
  value: 12.5,
  extractor: 'dataset-classifier',
  nReal: 2000,
  nFake: 500,
  imageSize: 32,
  resize: 'none',
}

describe('metric labels', () => {
  it('says dataset-classifier FID is not comparable to published Inception FIDs', () => {
    expect(metricLabel(fid)).toBe('FID (dataset classifier features) — not comparable to published Inception FIDs')
  })

  it('names Inception-v3 FID without the caveat', () => {
    expect(metricLabel({ ...fid, extractor: 'inception-v3-pool3' })).toBe('FID (Inception-v3 pool3 features)')
  })

  it('names the class of a per-class FID', () => {
    expect(metricLabel({ ...fid, name: 'class_fid', classIndex: 3 })).toMatch(/^FID of class 3 \(dataset classifier features\)/)
  })

  it('keeps values with different sample counts on different curves', () => {
    expect(metricCurveKey(fid)).not.toBe(metricCurveKey({ ...fid, nFake: 1000 }))
    expect(metricCurveKey(fid)).toBe(metricCurveKey({ ...fid, step: 200, value: 9 }))
  })

  it('rejects a value that does not say which extractor computed it', () => {
    const { extractor: _, ...unlabelled } = fid
    expect(MetricValueSchema.safeParse(unlabelled).success).toBe(false)
  })
})
