import { describe, expect, it } from 'vitest'
import { fixedLatents, SHEET_PER_CLASS } from '../../engine/fixed-latents'
import { sheetLatents, slerp, truncate } from './latents'

const config = { numClasses: 10, zDim: 16 }
const base = { config, kind: 'grid' as const, classes: [...Array(10).keys()], perClass: 8, frames: 8, seed: 7 }

function latentOf(l: { z: Float32Array }, cell: number, zDim = 16): number[] {
  return [...l.z.subarray(cell * zDim, (cell + 1) * zDim)]
}

describe('sheet latents', () => {
  it("at 8 per class and the run's seed are exactly the gallery's fixed latents", () => {
    const l = sheetLatents(base)
    const gallery = fixedLatents(config, SHEET_PER_CLASS, 7)
    expect(l.z).toEqual(gallery.z)
    expect(l.labels).toEqual(gallery.labels)
    expect([l.rows, l.columns]).toEqual([10, 8])
  })

  it('keeps a class its latents whatever other classes are picked, in the order asked', () => {
    const all = sheetLatents(base)
    const some = sheetLatents({ ...base, classes: [7, 2] })
    expect(some.rowClasses).toEqual([7, 2])
    expect([...some.labels]).toEqual([...Array(8).fill(7), ...Array(8).fill(2)])
    expect(latentOf(some, 0)).toEqual(latentOf(all, 7 * 8))
    expect(latentOf(some, 8 + 3)).toEqual(latentOf(all, 2 * 8 + 3))
  })

  it('gives unconditional runs a square grid and timeline rows of one latent each', () => {
    const grid = sheetLatents({ ...base, config: { numClasses: 0, zDim: 16 }, classes: [0], perClass: 5 })
    expect([grid.rows, grid.columns, grid.labels.length]).toEqual([5, 5, 25])
    expect(grid.rowClasses).toEqual([null, null, null, null, null])
    const timeline = sheetLatents({ ...base, kind: 'timeline', classes: [1, 4], perClass: 2 })
    expect([timeline.rows, timeline.columns]).toEqual([4, 1])
    expect(timeline.rowClasses).toEqual([1, 1, 4, 4])
  })

  it('walks each interpolation row from one latent to another on the sphere', () => {
    const l = sheetLatents({ ...base, kind: 'interp', classes: [3], perClass: 2, frames: 5 })
    expect([l.rows, l.columns]).toEqual([2, 5])
    const pool = fixedLatents(config, 4, 7).z // 2 rows x 2 ends per class
    const end = (k: number) => [...pool.subarray((3 * 4 + k) * 16, (3 * 4 + k + 1) * 16)]
    const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5))
    close(latentOf(l, 0), end(0))
    close(latentOf(l, 4), end(1))
    close(latentOf(l, 5), end(2))
    close(latentOf(l, 9), end(3))
    // Midpoint of a slerp between orthogonal unit vectors keeps unit norm (a lerp would give 0.707).
    const mid = new Float32Array(2)
    slerp(Float32Array.of(1, 0), Float32Array.of(0, 1), 0.5, mid)
    expect(Math.hypot(mid[0], mid[1])).toBeCloseTo(1, 6)
  })

  it('truncation redraws every value beyond the threshold, deterministically, and leaves the others', () => {
    const z = fixedLatents(config, 8, 7).z
    const t = truncate(z, 7, 0.5)
    expect(Math.max(...t.map(Math.abs))).toBeLessThanOrEqual(0.5)
    z.forEach((v, i) => {
      if (Math.abs(v) <= 0.5) expect(t[i]).toBe(v)
    })
    expect(truncate(z, 7, 0.5)).toEqual(t)
    expect(truncate(z, 7, undefined)).toBe(z)
  })
})
