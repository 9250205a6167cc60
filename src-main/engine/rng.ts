// The engine's only source of randomness (initial weights, latents, fake labels,
// flips). Counter-based, so its whole state is two integers that a checkpoint
// stores: a resumed run draws exactly the numbers an uninterrupted run would.
import { hash32 } from '../data/random'

export interface RngState {
  seed: number
  counter: number
}

const TWO_32 = 4294967296

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

  /** n standard normal values (Box-Muller; the counter always advances by an even amount). */
  normal(n: number): Float32Array {
    const out = new Float32Array(n)
    for (let i = 0; i < n; i += 2) {
      const u1 = 1 - this.uniform() // (0, 1]: log stays finite
      const u2 = this.uniform()
      const r = Math.sqrt(-2 * Math.log(u1))
      out[i] = r * Math.cos(2 * Math.PI * u2)
      if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2)
    }
    return out
  }
}
