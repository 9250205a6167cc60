// Will this config fit? Counts parameters exactly (from the same architecture
// description the builders use) and activations approximately, before any
// tensor is allocated, and names the knob to lower when it does not fit.
import type { GpuAdapterReport } from '../../src-shared/contract'
import { freemem, totalmem } from 'node:os'
import type { RunConfig } from '../../src-shared/run-config'
import { type BlockSpec, discriminatorArch, generatorArch } from './model/architecture'
import { type BufferCheck, checkGpuBuffers } from './webgpu/buffer-limits'

const GiB = 1024 ** 3
const FLOAT = 4
/** The wasm heap is 32-bit addressed and never shrinks. */
const WASM_HEAP_LIMIT = 4 * GiB
/**
 * Live activations per forward activation: tfjs keeps every intermediate of an
 * update's tf.tidy alive and the backward pass adds gradients of the same size.
 * Calibrated on wasm at 32 px, ch 16, batch 16: heap peak 709 MiB measured,
 * 3 gives 770 MiB. The environment doc's anchors (64 channels = ch 16 trains at
 * batch 64; 256 channels = ch 64 at batch 64 aborts) hold with it.
 */
const TRAINING_FACTOR = 3

export interface MemoryEstimate {
  /** Data-parallel replicas: each holds a full copy of the weights and 1/replicas of the batch, in its own heap. */
  replicas: number
  parameters: { generator: number; discriminator: number }
  bytes: {
    /** G, D and the EMA copy of G. */
    weights: number
    /** Adam's two moments for G and D, and the update's temporaries. */
    optimizer: number
    activations: number
    attentionMaps: number
    total: number
  }
  /** Per replica: each has its own heap. */
  limitBytes: number
  /** Every replica together against this machine's memory, on every backend. */
  machine: MachineMemory & { allReplicasBytes: number }
  fits: boolean
  /** When it does not fit: what takes the room and what to lower. */
  message?: string
  /** webgpu: the largest tensor against the adapter's per-buffer limit, which decides fits (GPU memory is not reported). */
  gpuBuffers?: BufferCheck
}

function convParams(cin: number, cout: number, k: number): number {
  return k * k * cin * cout + cout
}

function attentionParams(c: number): number {
  return c * (c / 8) * 2 + c * (c / 2) * 2 + 1 // query, key, value, out (no bias), gamma
}

function countGeneratorParams(c: RunConfig): number {
  const arch = generatorArch(c)
  const bn = (ch: number) => (c.numClasses > 0 ? 2 * c.numClasses * ch : 2 * ch)
  const gblock = (cin: number, cout: number, up: boolean) =>
    bn(cin) + bn(cout) + convParams(cin, cout, 3) + convParams(cout, cout, 3) + (cin !== cout || up ? convParams(cin, cout, 1) : 0)
  let n = c.zDim * 16 * arch.bottomChannels + 16 * arch.bottomChannels
  for (const b of arch.blocks) {
    n += gblock(b.cin, b.cout, true)
    if (b.extra === 'attention') n += attentionParams(b.cout)
    if (b.extra === 'residual') n += gblock(b.cout, b.cout, false)
  }
  const last = arch.blocks[arch.blocks.length - 1].cout
  return n + 2 * last + convParams(last, c.channels, 3)
}

function countDiscriminatorParams(c: RunConfig): number {
  const arch = discriminatorArch(c)
  const dblock = (cin: number, cout: number, down: boolean) =>
    convParams(cin, cout, 3) + convParams(cout, cout, 3) + (cin !== cout || down ? convParams(cin, cout, 1) : 0)
  let n = 0
  for (const b of arch.blocks) {
    n += dblock(b.cin, b.cout, b.downsample)
    if (b.extra === 'attention') n += attentionParams(b.cout)
    if (b.extra === 'residual') n += dblock(b.cout, b.cout, false)
  }
  return n + arch.featureChannels + 1 + (c.numClasses > 0 ? c.numClasses * arch.featureChannels : 0)
}

/** Floats of one image's forward activations, and one image's attention-map floats. */
function forwardFloats(blocks: BlockSpec[], inputSide: (b: BlockSpec, i: number) => number, c: RunConfig): { act: number; maps: number } {
  let act = 0
  let maps = 0
  blocks.forEach((b, i) => {
    const sIn = inputSide(b, i)
    const n = b.resolution * b.resolution
    // normalised/activated/upsampled input copies, then the conv outputs of the block
    act += sIn * sIn * b.cin * 2 + Math.max(n, sIn * sIn) * b.cout * 5
    if (b.extra === 'residual') act += n * b.cout * 6
    if (b.extra === 'attention') {
      const keys = c.attentionVariant === 'pooled' ? n / 4 : n
      act += n * b.cout * 2 + n * (b.cout / 8) + keys * (b.cout / 8 + b.cout / 2) + n * (b.cout / 2)
      maps += 2 * n * keys // logits and softmax
    }
  })
  return { act, maps }
}

interface MachineMemory {
  totalBytes: number
  freeBytes: number
}

/**
 * Share of the machine's memory a run may plan to use: the OS, the studio's
 * main process and the dataset need the rest.
 */
const MACHINE_SHARE = 0.8

interface EstimateOptions {
  /** Data-parallel replicas (default 1); the estimate is one replica's, checked again for all of them. */
  replicas?: number
  limitBytes?: number
  /** webgpu: the adapter's limits (without them, WebGPU's guaranteed minimum: 128 MiB per binding, 256 MiB per buffer). */
  gpuLimits?: GpuAdapterReport['limits']
  /** This machine's memory (default: os.totalmem / os.freemem). */
  machine?: MachineMemory
}

/** One replica's memory: its share of the batch, all of the weights. */
export function estimateTrainingMemory(config: RunConfig, backend: string, options: EstimateOptions = {}): MemoryEstimate {
  const replicas = options.replicas ?? 1
  const pg = countGeneratorParams(config)
  const pd = countDiscriminatorParams(config)
  const g = forwardFloats(generatorArch(config).blocks, (b) => b.resolution / 2, config)
  const dBlocks = discriminatorArch(config).blocks
  const d = forwardFloats(dBlocks, (_b, i) => (i === 0 ? config.imageSize : dBlocks[i - 1].resolution), config)
  const B = config.batchSize / replicas
  // The D step runs G on B latents and D on 2B images; the G step runs G and D on B.
  const images = { g: 2 * B, d: 3 * B }
  const activations = (images.g * g.act + images.d * d.act) * FLOAT * TRAINING_FACTOR
  const attentionMaps = (images.g * g.maps + images.d * d.maps) * FLOAT * TRAINING_FACTOR
  const weights = (2 * pg + pd) * FLOAT
  const optimizer = (pg + pd) * FLOAT * 4 // m, v, gradients, new values
  const total = weights + optimizer + activations + attentionMaps
  const limit = options.limitBytes ?? (backend === 'wasm' ? WASM_HEAP_LIMIT : Number.POSITIVE_INFINITY)
  const machine = { ...(options.machine ?? { totalBytes: totalmem(), freeBytes: freemem() }), allReplicasBytes: total * replicas }
  const estimate: MemoryEstimate = {
    replicas,
    parameters: { generator: pg, discriminator: pd },
    bytes: { weights, optimizer, activations, attentionMaps, total },
    limitBytes: limit,
    machine,
    fits: total <= limit && machine.allReplicasBytes <= machine.totalBytes * MACHINE_SHARE,
  }
  if (backend === 'webgpu') return withGpuBuffers(estimate, checkGpuBuffers(config, options.gpuLimits ?? WEBGPU_MINIMUM_LIMITS))
  if (!estimate.fits) estimate.message = adviceFor(config, backend, estimate)
  return estimate
}

const WEBGPU_MINIMUM_LIMITS: GpuAdapterReport['limits'] = { maxStorageBufferBindingSize: 128 * 1024 ** 2, maxBufferSize: 256 * 1024 ** 2 }

/** On a GPU the total has no known limit to meet; whether each tensor fits one buffer decides. */
function withGpuBuffers(estimate: MemoryEstimate, check: BufferCheck): MemoryEstimate {
  return { ...estimate, limitBytes: Number.POSITIVE_INFINITY, fits: check.fits, message: check.message, gpuBuffers: check }
}

function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(1)} GiB`
}

function adviceFor(c: RunConfig, backend: string, e: MemoryEstimate): string {
  const perReplica = e.replicas > 1 ? ` per replica (${e.replicas} replicas share each batch)` : ''
  const overHeap = e.bytes.total > e.limitBytes
  const head = overHeap
    ? `This run needs about ${gib(e.bytes.total)}${perReplica}, more than the ${backend} backend's ${gib(e.limitBytes)}`
    : `This run needs about ${gib(e.machine.allReplicasBytes)}${e.replicas > 1 ? ` in all (${gib(e.bytes.total)} for each of ${e.replicas} replicas)` : ''}, more than ${Math.round(MACHINE_SHARE * 100)}% of this machine's ${gib(e.machine.totalBytes)}`
  const ways: string[] = [`lower batchSize (now ${c.batchSize}; memory is roughly proportional)`]
  if (overHeap && (e.replicas > 1 || c.replicas !== 'auto')) ways.push(`raise replicas (now ${e.replicas}; each holds a smaller share of the batch)`)
  if (!overHeap && e.replicas > 1) ways.push(`lower replicas (now ${e.replicas}; each holds a full copy of the weights)`)
  if (e.bytes.attentionMaps > e.bytes.activations / 2) {
    const largest = Math.max(...c.gAttention, ...c.dAttention)
    ways.unshift(
      `attention maps take ${gib(e.bytes.attentionMaps)}: drop ${largest} from gAttention/dAttention${c.attentionVariant === 'full' ? " or use attentionVariant 'pooled' (4x smaller maps)" : ''}`,
    )
  } else {
    ways.push(`lower gCh/dCh (now ${c.gCh}/${c.dCh}; activations grow linearly, weights quadratically)`)
  }
  if (backend === 'wasm' && overHeap) ways.push('or install @tensorflow/tfjs-node (no 4 GiB heap limit)')
  return `${head}: ${ways.join('; ')}.`
}

/** Throws with the advice when the config cannot fit. */
export function assertFitsMemory(config: RunConfig, backend: string, options: EstimateOptions = {}): MemoryEstimate {
  const e = estimateTrainingMemory(config, backend, options)
  if (!e.fits) throw new Error(e.message)
  return e
}
