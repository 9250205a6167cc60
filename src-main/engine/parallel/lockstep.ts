// Replicas must hold identical state after every step (they apply the same
// averaged gradients). This checks it: each replica hashes its whole state
// (weights, optimiser, rng, step) and the digests are exchanged, so a bug that
// let them drift is caught at the next checkpoint instead of silently
// training a mixture.
import { createHash } from 'node:crypto'
import type { Collective } from './collective'

/** 16-bit pieces of a SHA-1 prefix: small integers survive float32 exactly. */
const DIGEST_PIECES = 3

function digest(state: Uint8Array): number[] {
  const bytes = createHash('sha1').update(state).digest()
  return Array.from({ length: DIGEST_PIECES }, (_, i) => bytes.readUInt16BE(2 * i))
}

/** Every replica's digest of its serialized state, by rank; all replicas must call it together. */
export function exchangeDigests(state: Uint8Array, collective: Collective): string[] {
  const mine = new Float32Array(collective.size * DIGEST_PIECES)
  mine.set(digest(state), collective.rank * DIGEST_PIECES)
  const all = collective.allReduceSum(mine) // each slot has one non-zero row
  return Array.from({ length: collective.size }, (_, r) =>
    Array.from(all.subarray(r * DIGEST_PIECES, (r + 1) * DIGEST_PIECES), (v) => v.toString(16).padStart(4, '0')).join(''),
  )
}

/** Throws naming the replicas whose state differs from rank 0's. */
export function assertInLockstep(digests: string[]): void {
  const drifted = digests.map((d, r) => (d === digests[0] ? -1 : r)).filter((r) => r > 0)
  if (drifted.length) {
    throw new Error(
      `data-parallel: replica ${drifted.join(', ')} no longer holds the primary's state (digests ${digests.join(' / ')}); the run was paused rather than train on diverged copies`,
    )
  }
}
