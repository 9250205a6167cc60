// Will this config fit a WebGPU adapter? WebGPU does not tell how much memory
// a GPU has, but it does say how large one buffer may be, and tfjs keeps every
// tensor in one buffer that a shader binds whole: the largest tensor of a step
// must fit maxStorageBufferBindingSize (and maxBufferSize). Checked before
// any weight is allocated; the answer names the tensor and what to lower.
import type { GpuAdapterReport } from '../../../src-shared/contract'
import type { RunConfig } from '../../../src-shared/run-config'
import { discriminatorArch, generatorArch } from '../model/architecture'

const FLOAT = 4
const MiB = 1024 ** 2

export interface BufferCheck {
  /** The step's largest tensor, in the user's words, and its size. */
  largest: { what: string; bytes: number; kind: 'activation' | 'attention' | 'weight' }
  /** The adapter's per-buffer limit: the smaller of maxStorageBufferBindingSize and maxBufferSize. */
  limitBytes: number
  fits: boolean
  /** When it does not fit: which tensor, and what to lower. */
  message?: string
}

interface Candidate {
  what: string
  floats: number
  kind: BufferCheck['largest']['kind']
}

/** The biggest tensors one training step holds; G runs on B latents, D on 2B images (real and fake together). */
function candidates(c: RunConfig): Candidate[] {
  const B = c.batchSize
  const out: Candidate[] = []
  const keys = (n: number) => (c.attentionVariant === 'pooled' ? n / 4 : n)
  const g = generatorArch(c)
  for (const b of g.blocks) {
    const n = b.resolution * b.resolution
    out.push({
      what: `G's ${b.resolution}x${b.resolution} block output (batch ${B} x ${Math.max(b.cin, b.cout)} channels)`,
      floats: B * n * Math.max(b.cin, b.cout),
      kind: 'activation',
    })
    if (b.extra === 'attention')
      out.push({ what: `G's ${b.resolution}x${b.resolution} attention map (batch ${B})`, floats: B * n * keys(n), kind: 'attention' })
  }
  const d = discriminatorArch(c)
  d.blocks.forEach((b, i) => {
    // A D block convolves at its input's resolution and pools at the end.
    const side = i === 0 ? c.imageSize : d.blocks[i - 1].resolution
    out.push({ what: `D's ${side}x${side} block activations (batch ${2 * B} x ${b.cout} channels)`, floats: 2 * B * side * side * b.cout, kind: 'activation' })
    const n = b.resolution * b.resolution
    if (b.extra === 'attention')
      out.push({ what: `D's ${b.resolution}x${b.resolution} attention map (batch ${2 * B})`, floats: 2 * B * n * keys(n), kind: 'attention' })
  })
  out.push({ what: `G's first linear layer (zDim ${c.zDim} x ${16 * g.bottomChannels})`, floats: c.zDim * 16 * g.bottomChannels, kind: 'weight' })
  for (const b of [...g.blocks, ...d.blocks])
    out.push({ what: `a 3x3 conv weight (${b.cin} x ${b.cout} channels)`, floats: 9 * b.cin * b.cout, kind: 'weight' })
  return out
}

export function checkGpuBuffers(c: RunConfig, limits: GpuAdapterReport['limits']): BufferCheck {
  const largest = candidates(c).reduce((a, b) => (b.floats > a.floats ? b : a))
  const bytes = largest.floats * FLOAT
  const limitBytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
  const check: BufferCheck = { largest: { what: largest.what, bytes, kind: largest.kind }, limitBytes, fits: bytes <= limitBytes }
  if (!check.fits) check.message = adviceFor(c, check)
  return check
}

function adviceFor(c: RunConfig, check: BufferCheck): string {
  const mib = (n: number) => `${(n / MiB).toFixed(0)} MiB`
  const head = `The largest tensor of a step, ${check.largest.what}, needs ${mib(check.largest.bytes)}, more than this GPU's ${mib(check.limitBytes)} per buffer (WebGPU's maxStorageBufferBindingSize)`
  const ways =
    check.largest.kind === 'weight' ? [`lower gCh/dCh (now ${c.gCh}/${c.dCh})`] : [`lower batchSize (now ${c.batchSize}; the tensor is proportional to it)`]
  if (check.largest.kind === 'attention') {
    if (c.attentionVariant === 'full') ways.push("use attentionVariant 'pooled' (4x smaller maps)")
    ways.push(`move attention to a lower resolution (gAttention ${c.gAttention.join(',') || '-'}, dAttention ${c.dAttention.join(',') || '-'})`)
  }
  if (check.largest.kind === 'activation') ways.push(`lower gCh/dCh (now ${c.gCh}/${c.dCh})`)
  ways.push('or train on wasm')
  return `${head}: ${ways.join('; ')}.`
}
