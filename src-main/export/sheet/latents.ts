// Which latent goes in which cell of an exported sheet. Pure: the same
// options give the same latents, and a class keeps its latents whichever
// other classes are picked (all classes are drawn, then rows are selected).
import type { RunConfig } from '../../../src-shared/run-config'
import { fixedLatents } from '../../engine/fixed-latents'
import { Rng } from '../../random'

interface SheetLatentsInput {
  config: Pick<RunConfig, 'numClasses' | 'zDim'>
  kind: 'grid' | 'timeline' | 'interp'
  /** Class indices, in row order (ignored when unconditional). */
  classes: number[]
  perClass: number
  frames: number
  seed: number
  truncation?: number
}

interface SheetLatents {
  /** [rows * columns, zDim], row-major. */
  z: Float32Array
  /** [rows * columns] class of each cell (0 when unconditional). */
  labels: Int32Array
  rows: number
  columns: number
  /** Class index of each row; null when unconditional. */
  rowClasses: (number | null)[]
}

/**
 * grid: perClass samples per class row (unconditional: perClass x perClass);
 * timeline: perClass rows per class, one latent each (columns are checkpoints);
 * interp: perClass rows per class, `frames` points on the arc between two latents.
 */
export function sheetLatents(p: SheetLatentsInput): SheetLatents {
  const { zDim, numClasses } = p.config
  const conditional = numClasses > 0
  const rowClasses: (number | null)[] = []
  const pick: number[] = [] // latent index per cell (grid, timeline) or per row end pair (interp)
  // Latents per class in the pool; unconditional grids are square.
  const drawn = p.kind === 'interp' ? 2 * p.perClass : p.kind === 'grid' && !conditional ? p.perClass * p.perClass : p.perClass
  const pool = truncate(fixedLatents(p.config, drawn, p.seed).z, p.seed, p.truncation)
  const groups = conditional ? p.classes : [0]
  for (const c of groups) {
    const rows = p.kind === 'grid' ? (conditional ? 1 : p.perClass) : p.perClass
    for (let r = 0; r < rows; r++) {
      rowClasses.push(conditional ? c : null)
      if (p.kind === 'grid') for (let k = 0; k < p.perClass; k++) pick.push(c * drawn + r * p.perClass + k)
      else if (p.kind === 'timeline') pick.push(c * drawn + r)
      else pick.push(c * drawn + 2 * r)
    }
  }
  const columns = p.kind === 'grid' ? p.perClass : p.kind === 'timeline' ? 1 : p.frames
  const cells = rowClasses.length * columns
  const z = new Float32Array(cells * zDim)
  const labels = new Int32Array(cells)
  rowClasses.forEach((c, row) => {
    for (let col = 0; col < columns; col++) {
      const cell = row * columns + col
      labels[cell] = c ?? 0
      if (p.kind === 'interp') {
        const start = pick[row] * zDim
        slerp(
          pool.subarray(start, start + zDim),
          pool.subarray(start + zDim, start + 2 * zDim),
          col / (columns - 1),
          z.subarray(cell * zDim, (cell + 1) * zDim),
        )
      } else {
        const start = pick[p.kind === 'grid' ? cell : row] * zDim
        z.set(pool.subarray(start, start + zDim), cell * zDim)
      }
    }
  })
  return { z, labels, rows: rowClasses.length, columns, rowClasses }
}

/**
 * The truncation trick as BigGAN samples it: every value beyond +-t is drawn
 * again until it falls inside. Redraws come from their own stream of the seed.
 */
export function truncate(z: Float32Array, seed: number, t: number | undefined): Float32Array {
  if (t === undefined) return z
  const rng = new Rng(seed ^ 0x5bd1e995)
  const out = Float32Array.from(z)
  for (let i = 0; i < out.length; i++) {
    while (Math.abs(out[i]) > t) out[i] = rng.normal(1)[0]
  }
  return out
}

/** Spherical interpolation: Gaussian latents keep their typical norm along the path (lerp would shrink it). */
export function slerp(a: Float32Array, b: Float32Array, t: number, out: Float32Array): void {
  let dot = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i]
    na += a[i] * a[i]
    nb += b[i] * b[i]
  }
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))))
  const s = Math.sin(omega)
  // Nearly parallel: the arc is a line.
  const wa = s < 1e-6 ? 1 - t : Math.sin((1 - t) * omega) / s
  const wb = s < 1e-6 ? t : Math.sin(t * omega) / s
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wb * b[i]
}
