// Every source of randomness in the main process, in one place. All of it is
// seeded and reproducible: the engine's counter-based Rng (its whole state is
// two integers a checkpoint stores, so a resumed run draws exactly what an
// uninterrupted one would), the sampler's streams derived from (seed, a, b),
// and mulberry32 for metric subsets and evaluation latents.

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

/** mulberry32: a tiny seeded generator. Returns [0, 1). */
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

/** Box-Muller: two independent standard normals from two uniform draws, taken in this order. */
function boxMuller(uniform: () => number): { cos: number; sin: number } {
  const u1 = 1 - uniform() // (0, 1]: log stays finite
  const u2 = uniform()
  const r = Math.sqrt(-2 * Math.log(u1))
  return { cos: r * Math.cos(2 * Math.PI * u2), sin: r * Math.sin(2 * Math.PI * u2) }
}

/** Standard normal draws from mulberry32 (one Box-Muller pair per draw, its second value unused). */
export function seededNormal(seed: number): () => number {
  const uniform = seededRandom(seed)
  return () => boxMuller(uniform).cos
}

/** Fisher-Yates shuffle of `items` in place, driven by `random`. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(items: T, random: () => number): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = items[i]
    items[i] = items[j]
    items[j] = t
  }
  return items
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

/** The engine's checkpointed rng position. Stored in every checkpoint: the format must not change. */
export interface RngState {
  seed: number
  counter: number
}

const TWO_32 = 4294967296

/** The engine's only source of randomness (initial weights, latents, fake labels, flips, augmentations). Counter-based. */
export class Rng {
  private seed: number
  private counter: number

  constructor(state: RngState | number) {
    const s = typeof state === 'number' ? { seed: state, counter: 0 } : state
    this.seed = s.seed >>> 0
    this.counter = s.counter
  }

  getState(): RngState {
    return { seed: this.seed, counter: this.counter }
  }

  setState(s: RngState): void {
    this.seed = s.seed >>> 0
    this.counter = s.counter
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    const c = this.counter++
    return hash32(this.seed, c % TWO_32, Math.floor(c / TWO_32)) / TWO_32
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n)
  }

  /** n standard normal values (the counter always advances by an even amount). */
  normal(n: number): Float32Array {
    const out = new Float32Array(n)
    const uniform = () => this.uniform()
    for (let i = 0; i < n; i += 2) {
      const pair = boxMuller(uniform)
      out[i] = pair.cos
      if (i + 1 < n) out[i + 1] = pair.sin
    }
    return out
  }
}
