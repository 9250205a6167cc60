// Counter-based randomness: every random stream is derived from (seed, a, b)
// alone, so a sampler or augmentation can be resumed from a few integers
// without serialising generator internals. The generator itself (mulberry32)
// is the metrics module's seededRandom, written once.

/** A 32-bit mix of up to three integers (murmur3 finaliser over a running hash). */
export function hash32(seed: number, a = 0, b = 0): number {
  let h = (seed ^ 0x9e3779b9) >>> 0
  for (const v of [a, b]) {
    h = Math.imul(h ^ (v >>> 0), 0x85ebca6b)
    h = (h ^ (h >>> 13)) >>> 0
    h = Math.imul(h, 0xc2b2ae35)
    h = (h ^ (h >>> 16)) >>> 0
  }
  return h
}

/** Fisher-Yates shuffle of `items` in place, driven by `random`. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(
  items: T,
  random: () => number,
): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = items[i]
    items[i] = items[j]
    items[j] = t
  }
  return items
}
