import { describe, expect, it } from 'vitest'
import { createSampler, type SamplerState } from './sampler'

function labelsOf(counts: number[]): Int32Array {
  return Int32Array.from(counts.flatMap((n, c) => new Array<number>(n).fill(c)))
}

function draw(sampler: { next(): Int32Array }, batches: number): number[] {
  const out: number[] = []
  for (let b = 0; b < batches; b++) out.push(...sampler.next())
  return out
}

describe('uniform sampler', () => {
  it('hands out every image exactly once per epoch, in a shuffled order', () => {
    const labels = labelsOf([7, 6]) // 13 images, batch 4: epochs end mid-batch
    const sampler = createSampler({ labels, batchSize: 4, seed: 1, classBalanced: false })
    const seq = draw(sampler, 13) // 52 draws = 4 full epochs
    for (let e = 0; e < 4; e++) {
      const epoch = seq.slice(e * 13, (e + 1) * 13)
      expect([...epoch].sort((a, b) => a - b)).toEqual([...Array(13).keys()])
    }
    expect(seq.slice(0, 13)).not.toEqual([...Array(13).keys()])
    expect(seq.slice(0, 13)).not.toEqual(seq.slice(13, 26))
    expect(sampler.getState()).toMatchObject({ kind: 'uniform', epoch: 3, position: 13, drawn: 52 })
  })

  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const labels = labelsOf([50])
    const a = draw(createSampler({ labels, batchSize: 8, seed: 42, classBalanced: false }), 5)
    const b = draw(createSampler({ labels, batchSize: 8, seed: 42, classBalanced: false }), 5)
    const c = draw(createSampler({ labels, batchSize: 8, seed: 43, classBalanced: false }), 5)
    expect(a).toEqual(b)
    expect(a).not.toEqual(c)
  })
})

describe('class-balanced sampler', () => {
  it('draws a rare class as often as a common one', () => {
    const labels = labelsOf([200, 5, 40])
    const sampler = createSampler({ labels, batchSize: 16, seed: 3, classBalanced: true })
    const seq = draw(sampler, 60) // 960 draws = 320 rounds of 3 classes
    const perClass = [0, 0, 0]
    for (const i of seq) perClass[labels[i]]++
    expect(perClass).toEqual([320, 320, 320])
  })

  it('does not repeat an image of a class before the class is exhausted', () => {
    const labels = labelsOf([9, 4])
    const sampler = createSampler({ labels, batchSize: 2, seed: 5, classBalanced: true })
    const rare = draw(sampler, 40).filter((i) => labels[i] === 1)
    for (let e = 0; e + 4 <= rare.length; e += 4) {
      expect(rare.slice(e, e + 4).sort((a, b) => a - b)).toEqual([9, 10, 11, 12])
    }
  })

  it('never draws a class index that has no images', () => {
    const labels = Int32Array.from([0, 0, 2, 2, 2]) // class 1 is empty
    const seq = draw(createSampler({ labels, batchSize: 5, seed: 9, classBalanced: true }), 10)
    expect(seq.every((i) => labels[i] !== 1)).toBe(true)
    expect(new Set(seq.map((i) => labels[i]))).toEqual(new Set([0, 2]))
  })
})

describe('resuming from a saved state', () => {
  for (const classBalanced of [false, true]) {
    it(`continues the same sequence after a JSON round trip (classBalanced=${classBalanced})`, () => {
      const labels = labelsOf([11, 3, 7])
      const opts = { labels, batchSize: 5, seed: 77, classBalanced }
      const straight = draw(createSampler(opts), 20)

      const first = createSampler(opts)
      const head = draw(first, 7)
      const saved = JSON.parse(JSON.stringify(first.getState())) as SamplerState
      const tail = draw(createSampler(opts, saved), 13)
      expect([...head, ...tail]).toEqual(straight)
    })
  }

  it('refuses a state made for a different dataset or mode, naming the mismatch', () => {
    const opts = { labels: labelsOf([10]), batchSize: 2, seed: 1, classBalanced: false }
    const state = createSampler(opts).getState()
    expect(() => createSampler({ ...opts, labels: labelsOf([12]) }, state)).toThrow(/made for 10 images, the dataset has 12/)
    expect(() => createSampler({ ...opts, classBalanced: true }, state)).toThrow(/kind is 'uniform'/)
    expect(() => createSampler({ ...opts, seed: 2 }, state)).toThrow(/seed 1 differs from 2/)
  })
})

it('rejects an empty dataset and a non-positive batch size with a clear message', () => {
  expect(() => createSampler({ labels: new Int32Array(0), batchSize: 4, seed: 0, classBalanced: false })).toThrow(/no images/)
  expect(() => createSampler({ labels: labelsOf([3]), batchSize: 0, seed: 0, classBalanced: false })).toThrow(/batchSize/)
})
