import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { renderPreviewGrid } from './preview'

/** Two classes of 4x4 RGB images; image n is filled with the value 10 * (n + 1). */
function dataset(counts: number[]) {
  const labels = Int32Array.from(counts.flatMap((n, c) => new Array<number>(n).fill(c)))
  const images = new Uint8Array(labels.length * 4 * 4 * 3)
  for (let n = 0; n < labels.length; n++) images.fill(10 * (n + 1), n * 48, (n + 1) * 48)
  return { images, labels, classNames: counts.map((_, c) => `class ${c}`), imageSize: 4, channels: 3 as const }
}

describe('preview grid', () => {
  it('tiles only the chosen class, enlarged with crisp pixels', async () => {
    const png = await renderPreviewGrid(dataset([2, 3]), 1, { minCellSize: 8 })
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
    // 3 images -> 2 columns x 2 rows of 4 px cells with 1 px gaps = 11 x 11, then scaled 2x.
    expect([info.width, info.height, info.channels]).toEqual([22, 22, 3])
    const at = (x: number, y: number): number => data[(y * info.width + x) * 3]
    expect([at(2, 2), at(12, 2), at(2, 12)]).toEqual([30, 40, 50]) // images 2, 3, 4 belong to class 1
    expect(at(0, 0)).toBe(128) // gap
    expect(at(12, 12)).toBe(128) // no fourth image
  })

  it('picks at most maxImages spread across a large class', async () => {
    const png = await renderPreviewGrid(dataset([100]), 0, { maxImages: 4, columns: 4, minCellSize: 4 })
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height]).toEqual([21, 6])
    const firstPixelOfCell = (k: number): number => data[(1 * info.width + 1 + k * 5) * 3]
    expect([0, 1, 2, 3].map(firstPixelOfCell)).toEqual([10, 260 % 256, 510 % 256, 760 % 256])
  })

  it('names the valid range when the class index is wrong', async () => {
    await expect(renderPreviewGrid(dataset([1]), 3)).rejects.toThrow(/class index 3 is out of range \(the dataset has 1 classes\)/)
  })
})
