import { describe, expect, it } from 'vitest'
import { flipMask, gatherBatch } from './batch'

// Two 2x2 grey images: [1 2 / 3 4] and [5 6 / 7 8].
const dataset = { images: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), imageSize: 2, channels: 1 as const }

describe('batch assembly', () => {
  it('copies the sampled images in order and mirrors only the flagged ones', () => {
    const batch = gatherBatch(dataset, Int32Array.from([1, 0, 1]), Uint8Array.from([0, 1, 1]))
    expect([...batch]).toEqual([5, 6, 7, 8, 2, 1, 4, 3, 6, 5, 8, 7])
  })

  it('mirrors colour pixels as whole RGB triples', () => {
    const rgb = { images: Uint8Array.from([1, 2, 3, 4, 5, 6]), imageSize: 1, channels: 3 as const }
    const wide = { images: Uint8Array.from([1, 1, 1, 9, 9, 9]), imageSize: 1, channels: 3 as const }
    expect([...gatherBatch(rgb, Int32Array.from([1]), Uint8Array.from([1]))]).toEqual([4, 5, 6])
    expect([...gatherBatch(wide, Int32Array.from([0, 1]))]).toEqual([1, 1, 1, 9, 9, 9])
  })

  it('draws the same flips for the same seed and batch number, about half of them', () => {
    expect(flipMask(7, 12, 64)).toEqual(flipMask(7, 12, 64))
    expect(flipMask(7, 12, 64)).not.toEqual(flipMask(7, 13, 64))
    const flips = flipMask(1, 0, 1000).reduce((a, b) => a + b, 0)
    expect(flips).toBeGreaterThan(430)
    expect(flips).toBeLessThan(570)
  })
})
