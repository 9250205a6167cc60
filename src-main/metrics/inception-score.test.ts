import { describe, expect, it } from 'vitest'
import { inceptionScore, type InceptionClassProbabilities } from './inception-score'

function probabilities(rows: number, cols: number, fill: (i: number, j: number) => number): InceptionClassProbabilities {
  const data = new Float32Array(rows * cols)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = fill(i, j)
  return { source: 'inception-v3-imagenet', rows, cols, data }
}

describe('inceptionScore', () => {
  it('equals the number of classes when every image is confidently one class and classes are balanced', () => {
    const p = probabilities(100, 1000, (i, j) => (j === i % 5 ? 1 : 0))
    const r = inceptionScore(p, 10)
    expect(r.mean).toBeCloseTo(5, 5)
    expect(r.std).toBeCloseTo(0, 5)
  })

  it('is 1 when every image gets the same prediction', () => {
    const p = probabilities(40, 1000, (_, j) => (j < 10 ? 0.1 : 0))
    expect(inceptionScore(p, 4).mean).toBeCloseTo(1, 6)
  })
})
