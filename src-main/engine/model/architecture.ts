// Channel widths and resolutions of G and D, as data: the model builders and
// the memory estimator read the same description. Widths follow BigGAN-PyTorch's
// G_arch / D_arch (multiples of the base width ch).
import type { RunConfig } from '../../../src-shared/run-config'

export type ArchConfig = Pick<
  RunConfig,
  'imageSize' | 'channels' | 'numClasses' | 'zDim' | 'gCh' | 'dCh' | 'gAttention' | 'dAttention' | 'attentionVariant' | 'attentionBlock'
>

export interface BlockSpec {
  cin: number
  cout: number
  /** Side of the block's output. */
  resolution: number
  /** D only: 2x2 average pooling at the end of the block. */
  downsample: boolean
  /** What follows the block: self-attention, a residual block (ablation), or nothing. */
  extra: 'attention' | 'residual' | null
}

interface GeneratorArch {
  /** The linear layer maps z to a [4, 4, bottomChannels] map. */
  bottomChannels: number
  blocks: BlockSpec[]
}

interface DiscriminatorArch {
  blocks: BlockSpec[]
  /** Width of the pooled features the head reads. */
  featureChannels: number
}

const G_WIDTHS: Record<RunConfig['imageSize'], { in: number[]; out: number[] }> = {
  32: { in: [4, 4, 4], out: [4, 4, 4] },
  64: { in: [16, 16, 8, 4], out: [16, 8, 4, 2] },
  128: { in: [16, 16, 8, 4, 2], out: [16, 8, 4, 2, 1] },
}

const D_WIDTHS: Record<RunConfig['imageSize'], { in: number[]; out: number[]; down: boolean[] }> = {
  32: { in: [4, 4, 4], out: [4, 4, 4, 4], down: [true, true, false, false] },
  64: { in: [1, 2, 4, 8], out: [1, 2, 4, 8, 16], down: [true, true, true, true, false] },
  128: { in: [1, 2, 4, 8, 16], out: [1, 2, 4, 8, 16, 16], down: [true, true, true, true, true, false] },
}

function extraKind(c: ArchConfig): 'attention' | 'residual' {
  return c.attentionBlock === 'residual' ? 'residual' : 'attention'
}

export function generatorArch(c: ArchConfig): GeneratorArch {
  const w = G_WIDTHS[c.imageSize]
  const blocks = w.out.map((out, i): BlockSpec => {
    const resolution = 8 * 2 ** i
    return {
      cin: w.in[i] * c.gCh,
      cout: out * c.gCh,
      resolution,
      downsample: false,
      extra: c.gAttention.includes(resolution) ? extraKind(c) : null,
    }
  })
  return { bottomChannels: w.in[0] * c.gCh, blocks }
}

export function discriminatorArch(c: ArchConfig): DiscriminatorArch {
  const w = D_WIDTHS[c.imageSize]
  let side = c.imageSize
  const placed = new Set<number>()
  const blocks = w.out.map((out, i): BlockSpec => {
    if (w.down[i]) side /= 2
    // At 32 px several blocks output 16x16: attention goes after the first of them only.
    const wanted = c.dAttention.includes(side) && !placed.has(side)
    if (wanted) placed.add(side)
    return {
      cin: i === 0 ? c.channels : w.in[i - 1] * c.dCh,
      cout: out * c.dCh,
      resolution: side,
      downsample: w.down[i],
      extra: wanted ? extraKind(c) : null,
    }
  })
  return { blocks, featureChannels: blocks[blocks.length - 1].cout }
}
