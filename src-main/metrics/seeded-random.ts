/** mulberry32: a tiny seeded generator, so metric subsets and test data are reproducible. Returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Standard normal draws (Box-Muller) from a seeded uniform source. */
export function seededNormal(seed: number): () => number {
  const uniform = seededRandom(seed)
  return () => {
    const u = 1 - uniform() // (0, 1]: log stays finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform())
  }
}

/** k distinct indices from 0..n-1 (partial Fisher-Yates). */
export function sampleWithoutReplacement(n: number, k: number, random: () => number): Int32Array {
  if (k > n) throw new Error(`cannot draw ${k} distinct indices from ${n}`)
  const pool = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i))
    const t = pool[i]
    pool[i] = pool[j]
    pool[j] = t
  }
  return pool.slice(0, k)
}
