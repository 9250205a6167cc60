import { describe, expect, it } from 'vitest'
import { gatherBatch } from './batch'

// Two 2x2 grey images: [1 2 / 3 4] and [5 6 / 7 8].
const dataset = { images: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), imageSize: 2, channels: 1 as const }

describe('batch assembly', () => {
  it('copies the sampled images in order, repeats included', () => {
    const batch = gatherBatch(dataset, Int32Array.from([1, 0, 1]))
    expect([...batch]).toEqual([5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8])
  })

  it('copies colour pixels as whole RGB triples', () => {
    const wide = { images: Uint8Array.from([1, 1, 1, 9, 9, 9]), imageSize: 1, channels: 3 as const }
    expect([...gatherBatch(wide, Int32Array.from([0, 1]))]).toEqual([1, 1, 1, 9, 9, 9])
  })
})
