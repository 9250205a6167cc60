// Floating-point work of a training step, from the architecture description:
// turns a measured step time into GFLOP/s, and lets a peer implementation of
// the same architecture be compared on equal terms.
import type { RunConfig } from '../../src-shared/run-config'
import { type BlockSpec, discriminatorArch, generatorArch } from './model/architecture'

/** 2 FLOPs per multiply-add. */
function conv(side: number, k: number, cin: number, cout: number): number {
  return 2 * side * side * k * k * cin * cout
}

function attention(side: number, c: number, variant: RunConfig['attentionVariant']): number {
  const n = side * side
  const m = variant === 'pooled' ? n / 4 : n
  const projections = 2 * n * c * (c / 8 + c / 8 + c / 2) + 2 * n * (c / 2) * c // query, key, value, out
  return projections + 2 * n * m * (c / 8) + 2 * n * m * (c / 2) // logits, weighted sum
}

function extra(b: BlockSpec, c: RunConfig, residual: number): number {
  if (b.extra === 'attention') return attention(b.resolution, b.cout, c.attentionVariant)
  return b.extra === 'residual' ? residual : 0
}

/** Forward FLOPs of G for one image. */
function generatorFlops(c: RunConfig): number {
  const arch = generatorArch(c)
  let f = 2 * c.zDim * 16 * arch.bottomChannels
  for (const b of arch.blocks) {
    const r = b.resolution
    f += conv(r, 3, b.cin, b.cout) + conv(r, 3, b.cout, b.cout) + conv(r, 1, b.cin, b.cout)
    f += extra(b, c, 2 * conv(r, 3, b.cout, b.cout))
  }
  return f + conv(c.imageSize, 3, arch.blocks[arch.blocks.length - 1].cout, c.channels)
}

/** Forward FLOPs of D for one image. */
function discriminatorFlops(c: RunConfig): number {
  let side: number = c.imageSize
  let f = 0
  discriminatorArch(c).blocks.forEach((b, i) => {
    f += conv(side, 3, b.cin, b.cout) + conv(side, 3, b.cout, b.cout)
    if (b.cin !== b.cout || b.downsample) f += conv(i > 0 ? side : b.resolution, 1, b.cin, b.cout)
    side = b.resolution
    f += extra(b, c, 2 * conv(side, 3, b.cout, b.cout))
  })
  return f
}

/**
 * One trainStep: per D step, G forward on B latents and D forward+backward on
 * 2B images; then G and D forward+backward on B. Backward counted as 2x forward.
 */
export function trainingFlopsPerStep(c: RunConfig): number {
  const g = generatorFlops(c)
  const d = discriminatorFlops(c)
  const b = c.batchSize
  return c.nDis * (b * g + 3 * 2 * b * d) + 3 * b * (g + d)
}
