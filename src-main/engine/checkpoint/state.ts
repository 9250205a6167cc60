// Everything a run needs to continue exactly where it stopped, and its byte format.
import type { AdaptiveState } from '../augment/adaptive-probability'
import type { RngState } from '../../random'

export interface NamedArray {
  /** "<part>/<name>", e.g. "G/G.block0.conv1.w", "adamD.m/D.linear.w". */
  name: string
  shape: number[]
  data: Float32Array
}

export interface TrainerState {
  version: 1
  /** Completed training steps. */
  step: number
  rng: RngState
  adamSteps: { g: number; d: number }
  /** DiffAugment's probability and ADA's running r_t; absent in checkpoints from before augmentation. */
  augment?: AdaptiveState
  /** Weights of G, D and the EMA copy, spectral-norm u vectors, BN statistics, Adam moments. */
  tensors: NamedArray[]
}

// Layout: "SGST" | u32 header bytes | header JSON | zero padding to 4 | float32 data.
const MAGIC = 'SGST'

interface Header extends Omit<TrainerState, 'tensors'> {
  tensors: { name: string; shape: number[]; length: number }[]
}

export function serializeState(s: TrainerState): Uint8Array {
  const header: Header = { ...s, tensors: s.tensors.map((t) => ({ name: t.name, shape: t.shape, length: t.data.length })) }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const dataStart = Math.ceil((8 + json.length) / 4) * 4
  const floats = s.tensors.reduce((n, t) => n + t.data.length, 0)
  const out = new Uint8Array(dataStart + floats * 4)
  out.set(new TextEncoder().encode(MAGIC), 0)
  new DataView(out.buffer).setUint32(4, json.length, true)
  out.set(json, 8)
  const data = new Float32Array(out.buffer, dataStart, floats)
  let offset = 0
  for (const t of s.tensors) {
    data.set(t.data, offset)
    offset += t.data.length
  }
  return out
}

export function deserializeState(bytes: Uint8Array): TrainerState {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new Error('Trainer state: these bytes are not a SAGAN Studio checkpoint (missing "SGST" header); pick another checkpoint')
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const jsonLength = view.getUint32(4, true)
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength))) as Header
  if (header.version !== 1) throw new Error(`Trainer state: checkpoint format version ${header.version} is not supported (expected 1)`)
  const dataStart = Math.ceil((8 + jsonLength) / 4) * 4
  // copy: the source may be unaligned or shared memory
  const data = new Float32Array(bytes.slice(dataStart).buffer)
  let offset = 0
  const tensors = header.tensors.map((t): NamedArray => {
    const slice = data.subarray(offset, offset + t.length)
    offset += t.length
    return { name: t.name, shape: t.shape, data: slice }
  })
  if (offset !== data.length) throw new Error(`Trainer state: checkpoint is truncated or padded (${data.length} floats stored, header lists ${offset})`)
  return { ...header, tensors }
}
