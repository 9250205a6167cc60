// Running a trainer's generator without training it: images for given
// latents, where an attention layer looks, and the spectral norms of the
// weights. Evaluation mode: no state changes.
import * as tf from '@tensorflow/tfjs-core'
import type { ForwardContext, ParamStore } from './model/params'
import { spectralSigma, uNameOf } from './model/spectral-norm'
import { toPixelValues } from './pixels'
import { labelTensor, type TrainerParts } from './train/parts'
import { throwIfGpuFailed } from './webgpu/device-errors'

export type WeightsChoice = 'raw' | 'ema'

export interface AttentionMap {
  /** Weights over the key grid, row-major [height, width]; sums to 1. */
  map: Float32Array
  width: number
  height: number
  layer: string
  variant: 'pooled' | 'full'
}

/** Images [N, H, W, C] uint8 from latents z [N, zDim] and labels [N]. */
export async function sample(parts: TrainerParts, z: Float32Array, labels: Int32Array, weights: WeightsChoice): Promise<Uint8Array> {
  const n = labels.length
  const { zDim, imageSize: s, channels: c, batchSize } = parts.config
  if (z.length !== n * zDim) throw new Error(`sample: z has ${z.length} values, expected ${n} x zDim ${zDim}`)
  const out = new Uint8Array(n * s * s * c)
  const store = storeFor(parts, weights)
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize)
    const images = tf.tidy(() => {
      const x = parts.g.apply(
        tf.tensor2d(z.subarray(start * zDim, end * zDim), [end - start, zDim]),
        labelTensor(parts.config, labels.subarray(start, end)),
        evalContext(store),
      )
      return toPixelValues(x)
    })
    out.set(await images.data(), start * s * s * c)
    images.dispose()
  }
  throwIfGpuFailed('sample')
  return out
}

/**
 * Where the query pixel looks: the LAST generator attention layer's weights
 * over its key grid (side/2 when pooled). Query in image pixels.
 */
export async function attentionMap(
  parts: TrainerParts,
  z: Float32Array,
  label: number,
  query: { x: number; y: number },
  weights: WeightsChoice,
): Promise<AttentionMap> {
  const layer = parts.g.attention[parts.g.attention.length - 1]
  if (!layer) throw new Error('attentionMap: this run has no generator attention layer (ablation or gAttention is empty)')
  const { zDim, imageSize } = parts.config
  if (z.length !== zDim) throw new Error(`attentionMap: z has ${z.length} values, expected zDim ${zDim}`)
  const side = Number(layer.name.replace('G.attention', ''))
  const qx = Math.min(side - 1, Math.max(0, Math.floor((query.x * side) / imageSize)))
  const qy = Math.min(side - 1, Math.max(0, Math.floor((query.y * side) / imageSize)))
  const keySide = layer.keySide(side)
  const row = tf.tidy(() => {
    let picked: tf.Tensor | null = null
    const ctx: ForwardContext = {
      ...evalContext(storeFor(parts, weights)),
      onAttention: (name, beta) => {
        if (name === layer.name) picked = tf.reshape(tf.slice(beta, [0, qy * side + qx, 0], [1, 1, -1]), [-1]) // [keys]
      },
    }
    parts.g.apply(tf.tensor2d(z, [1, zDim]), labelTensor(parts.config, Int32Array.of(label)), ctx)
    if (!picked) throw new Error(`attentionMap: layer ${layer.name} did not run`)
    return picked as tf.Tensor
  })
  const map = (await row.data()) as Float32Array
  row.dispose()
  throwIfGpuFailed('attentionMap')
  return { map, width: keySide, height: keySide, layer: layer.name, variant: layer.variant }
}

/** Largest singular value estimate of every spectrally normalised weight (no u update), logged with each sample sheet. */
export async function spectralNorms(parts: TrainerParts): Promise<{ layer: string; sigma: number }[]> {
  const names = [parts.gStore, parts.dStore].flatMap((store) =>
    [...store.params.keys()].filter((n) => store.buffers.has(uNameOf(n))).map((n) => [store, n] as const),
  )
  const values = tf.tidy(() => tf.stack(names.map(([store, n]) => spectralSigma(store, n, false))))
  const out = await values.data()
  values.dispose()
  throwIfGpuFailed('spectralNorms')
  return names.map(([, layer], i) => ({ layer, sigma: out[i] }))
}

function storeFor(parts: TrainerParts, weights: WeightsChoice): ParamStore {
  if (weights === 'ema' && !parts.emaStore) throw new Error('EMA weights requested but this run has ema.enabled = false; use raw weights')
  return weights === 'ema' && parts.emaStore ? parts.emaStore : parts.gStore
}

function evalContext(store: ParamStore): ForwardContext {
  return { store, training: false, updateSn: false, updateStats: false }
}
