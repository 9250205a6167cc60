// Which dataset images go into each training batch.
//
// Uniform: every epoch is a fresh permutation of all images (sampling without
// replacement); a batch that crosses the end of an epoch continues into the
// next permutation, so every batch is full.
// Class-balanced: classes are drawn in shuffled rounds (each class once per
// round), and each class walks its own permutation of its images, so rare
// classes are seen as often as common ones and no image repeats before its
// class has been exhausted.
//
// Every permutation is derived from (seed, counter) alone, so the state is a
// handful of integers: a checkpoint stores it and a resumed run continues the
// exact same sequence.

import { hash32, seededRandom, shuffleInPlace } from '../random'

export interface SamplerOptions {
  /** Class index per dataset image: [N]. */
  labels: Int32Array
  batchSize: number
  seed: number
  classBalanced: boolean
}

interface StateBase {
  version: 1
  seed: number
  /** Number of dataset images the state was made for (checked on resume). */
  size: number
  /** Images handed out so far, over all epochs. */
  drawn: number
}

interface UniformSamplerState extends StateBase {
  kind: 'uniform'
  epoch: number
  /** Next position in this epoch's permutation. */
  position: number
}

interface BalancedSamplerState extends StateBase {
  kind: 'balanced'
  round: number
  /** Next position in this round's shuffled class order. */
  roundPosition: number
  /** Per class index (dense over 0..max label): its own epoch and position. */
  classEpochs: number[]
  classPositions: number[]
}

/** Plain JSON: safe to store in a checkpoint and restore with JSON.parse. */
export type SamplerState = UniformSamplerState | BalancedSamplerState

export interface Sampler {
  /** Indices into the dataset for the next batch: [batchSize]. */
  next(): Int32Array
  /** A copy of the position; pass it back to createSampler to resume. */
  getState(): SamplerState
}

// Stream identifiers keep the uniform, round and per-class permutations independent.
const STREAM_EPOCH = 1
const STREAM_ROUND = 2
const STREAM_CLASS = 3

function permutation(length: number, seed: number): Int32Array {
  const order = new Int32Array(length)
  for (let i = 0; i < length; i++) order[i] = i
  return shuffleInPlace(order, seededRandom(seed))
}

export function createSampler(opts: SamplerOptions, state?: SamplerState): Sampler {
  const { labels, batchSize, seed, classBalanced } = opts
  if (labels.length === 0) throw new Error('createSampler: the dataset has no images; check the dataset report first')
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`createSampler: batchSize must be a positive integer, got ${batchSize}`)
  }
  if (state) checkResumable(state, opts)
  return classBalanced
    ? balancedSampler(labels, batchSize, seed, state as BalancedSamplerState | undefined)
    : uniformSampler(labels.length, batchSize, seed, state as UniformSamplerState | undefined)
}

function checkResumable(state: SamplerState, opts: SamplerOptions): void {
  const expectedKind = opts.classBalanced ? 'balanced' : 'uniform'
  const problems: string[] = []
  if (state.version !== 1) problems.push(`version ${String(state.version)} is not 1`)
  if (state.kind !== expectedKind) problems.push(`kind is '${state.kind}' but classBalanced=${opts.classBalanced}`)
  if (state.seed !== opts.seed) problems.push(`seed ${state.seed} differs from ${opts.seed}`)
  if (state.size !== opts.labels.length) problems.push(`it was made for ${state.size} images, the dataset has ${opts.labels.length}`)
  if (problems.length > 0) {
    throw new Error(`Sampler state cannot resume this run: ${problems.join('; ')}. Resume with the same dataset and settings, or start a new run.`)
  }
}

function uniformSampler(size: number, batchSize: number, seed: number, from?: UniformSamplerState): Sampler {
  let epoch = from?.epoch ?? 0
  let position = from?.position ?? 0
  let drawn = from?.drawn ?? 0
  let order = permutation(size, hash32(seed, STREAM_EPOCH, epoch))
  return {
    next() {
      const batch = new Int32Array(batchSize)
      for (let i = 0; i < batchSize; i++) {
        if (position === size) {
          epoch++
          position = 0
          order = permutation(size, hash32(seed, STREAM_EPOCH, epoch))
        }
        batch[i] = order[position++]
      }
      drawn += batchSize
      return batch
    },
    getState: () => ({ kind: 'uniform', version: 1, seed, size, drawn, epoch, position }),
  }
}

function balancedSampler(labels: Int32Array, batchSize: number, seed: number, from?: BalancedSamplerState): Sampler {
  // members[c]: dataset indices of class c in ascending order; empty classes never drawn.
  let classCount = 0
  for (const label of labels) classCount = Math.max(classCount, label + 1)
  const members: number[][] = Array.from({ length: classCount }, () => [])
  labels.forEach((label, index) => members[label].push(index))
  const present = members.flatMap((m, c) => (m.length > 0 ? [c] : []))

  let round = from?.round ?? 0
  let roundPosition = from?.roundPosition ?? 0
  let drawn = from?.drawn ?? 0
  const classEpochs = from ? [...from.classEpochs] : new Array<number>(classCount).fill(0)
  const classPositions = from ? [...from.classPositions] : new Array<number>(classCount).fill(0)
  const classSeed = (c: number): number => hash32(hash32(seed, STREAM_CLASS, c), classEpochs[c])
  const classOrders = members.map((m, c) => permutation(m.length, classSeed(c)))
  const roundOrder = (): Int32Array => permutation(present.length, hash32(seed, STREAM_ROUND, round))
  let classesThisRound = roundOrder()

  return {
    next() {
      const batch = new Int32Array(batchSize)
      for (let i = 0; i < batchSize; i++) {
        if (roundPosition === present.length) {
          round++
          roundPosition = 0
          classesThisRound = roundOrder()
        }
        const c = present[classesThisRound[roundPosition++]]
        if (classPositions[c] === members[c].length) {
          classEpochs[c]++
          classPositions[c] = 0
          classOrders[c] = permutation(members[c].length, classSeed(c))
        }
        batch[i] = members[c][classOrders[c][classPositions[c]++]]
      }
      drawn += batchSize
      return batch
    },
    getState: () => ({
      kind: 'balanced',
      version: 1,
      seed,
      size: labels.length,
      drawn,
      round,
      roundPosition,
      classEpochs: [...classEpochs],
      classPositions: [...classPositions],
    }),
  }
}
