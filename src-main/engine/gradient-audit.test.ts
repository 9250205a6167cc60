// The gradient audit: every op the engine trains through, checked against
// central finite differences on wasm and on cpu, with inputs that reach the
// bug classes found in tfjs 4.22 (all-negative max-pool windows, batch >= 2).
// Whole networks are checked along random directions, and the quick D's
// parameter gradients on wasm against cpu's (the issue-14 symptom).
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { AUGMENT_OPS, buildRunConfig } from '../../src-shared/run-config'
import { diffAugment, drawAugmentations } from './augment/diff-augment'
import { initBackend } from './backend'
import { SelfAttention } from './model/attention'
import { BatchNorm, ConditionalBatchNorm } from './model/batch-norm'
import { DBlock, GBlock } from './model/blocks'
import { Discriminator } from './model/discriminator'
import { Generator } from './model/generator'
import { discriminatorHinge, generatorHinge } from './model/hinge-loss'
import { type ForwardContext, ParamBuilder, ParamStore } from './model/params'
import { SpectralNorm, spectralSigma, spectrallyNormalized, uNameOf } from './model/spectral-norm'
import { attendPerImage } from './ops/attention-core'
import { conv2dSame } from './ops/conv2d'
import { embed } from './ops/embedding'
import { maxPool2x2 } from './ops/max-pool'
import { upsampleNearest2x } from './ops/upsample'
import { Rng } from '../random'
import { checkDirectional, checkGradients, variableOf, windowsOfEverySign } from './testing/finite-differences'
import { onBackend, randomValues, relativeError } from './testing/numerics'

beforeAll(async () => {
  await initBackend('wasm')
})

const t4 = (v: tf.Tensor) => v as tf.Tensor4D
const t3 = (v: tf.Tensor) => v as tf.Tensor3D
const t2 = (v: tf.Tensor) => v as tf.Tensor2D

/** A variable of random values in (-1, 1), never within 0.05 of 0 (relu's kink). */
function random(shape: number[], seed: number, scale = 1): tf.Variable {
  return variableOf(
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ).map((v) => v * scale),
    shape,
  )
}

/** A layer's store: its parameters are the variables under test (u vectors and BN statistics stay fixed). */
function layerStore(make: (b: ParamBuilder) => void, seed: number): ParamStore {
  const store = new ParamStore('audit')
  make(new ParamBuilder(store, new Rng(seed)))
  randomizeAndConverge(store, seed)
  return store
}

/**
 * Random values in every parameter, then every SN power iteration run to its fixed point.
 * Random, not the initial values: zero-initialised parameters (BN biases, gamma) would
 * hide paths, and an orthogonal weight has all singular values equal, where u never
 * settles. The first output column is 3x larger: a clear spectral gap, so u converges.
 */
function randomizeAndConverge(store: ParamStore, seed: number): void {
  let i = 0
  for (const [, v] of store.params) {
    const cols = v.shape[v.rank - 1] ?? 1
    const values = randomValues(v.size, seed * 1000 + i++).map((x, k) => (k % cols === 0 ? 3 * x : x))
    tf.tidy(() => v.assign(tf.tensor(values, v.shape)))
  }
  convergeSpectralNorms(store)
}

/**
 * Runs the power iteration of every SN weight to its fixed point. The layers
 * treat u and v as constants (BigGAN's no_grad); that is the true gradient of
 * W / sigma(W) only where u and v no longer move, which finite differences see.
 */
function convergeSpectralNorms(store: ParamStore): void {
  const weights = [...store.params.keys()].filter((n) => store.buffers.has(uNameOf(n)))
  for (let i = 0; i < 200; i++) tf.tidy(() => weights.forEach((n) => spectralSigma(store, n, true)))
}

/** Batch statistics, SN u left alone: a deterministic training pass. */
const pass = (store: ParamStore): ForwardContext => ({ store, training: true, updateSn: false, updateStats: false })

interface Case {
  name: string
  /** The variables differentiated and the function of them; dispose frees everything else. */
  build: () => { variables: Record<string, tf.Variable>; f: () => tf.Tensor; dispose?: () => void }
  step?: number
}

const labels = () => tf.tensor1d([0, 3, 3, 1], 'int32')

const CASES: Case[] = [
  {
    name: 'conv2dSame 3x3 (x and w), batch 2',
    build: () => {
      const [x, w] = [random([2, 4, 4, 3], 1), random([3, 3, 3, 4], 2)]
      return { variables: { x, w }, f: () => conv2dSame(t4(x), t4(w)) }
    },
  },
  {
    name: 'conv2dSame 1x1 (x and w), batch 2',
    build: () => {
      const [x, w] = [random([2, 3, 3, 4], 3), random([1, 1, 4, 2], 4)]
      return { variables: { x, w }, f: () => conv2dSame(t4(x), t4(w)) }
    },
  },
  {
    name: 'matMul (linear layers)',
    build: () => {
      const [x, w] = [random([3, 5], 5), random([5, 4], 6)]
      return { variables: { x, w }, f: () => tf.matMul(x, w) }
    },
  },
  {
    name: 'embedding as oneHot x matMul (table)',
    build: () => {
      const [table, y] = [random([4, 3], 7), labels()]
      return { variables: { table }, f: () => embed(y, t2(table)), dispose: () => y.dispose() }
    },
  },
  {
    name: 'softmax over the last axis',
    build: () => {
      const x = random([3, 5], 8, 2)
      return { variables: { x }, f: () => tf.softmax(x) }
    },
  },
  {
    name: 'attendPerImage (q, k, v), batch 2',
    build: () => {
      const [q, k, v] = [random([2, 8, 2], 9, 2), random([2, 2, 2], 10, 2), random([2, 2, 4], 11)]
      return { variables: { q, k, v }, f: () => attendPerImage(t3(q), t3(k), t3(v)) }
    },
  },
  {
    name: 'batched attention softmax(q k^T) v (cpu training, evaluation)',
    build: () => {
      const [q, k, v] = [random([2, 8, 2], 9, 2), random([2, 2, 2], 10, 2), random([2, 2, 4], 11)]
      return { variables: { q, k, v }, f: () => tf.matMul(tf.softmax(tf.matMul(q, k, false, true)), v) }
    },
  },
  {
    name: 'maxPool2x2 on negative, mixed and positive windows, batch 2',
    build: () => {
      const x = variableOf(windowsOfEverySign([2, 4, 4, 2]), [2, 4, 4, 2])
      return { variables: { x }, f: () => maxPool2x2(t4(x)) }
    },
  },
  {
    name: 'avgPool 2x2 (D downsampling), batch 2',
    build: () => {
      const x = random([2, 4, 4, 3], 12)
      return { variables: { x }, f: () => tf.avgPool(t4(x), 2, 2, 'valid') }
    },
  },
  {
    name: 'upsampleNearest2x (G upsampling), batch 3',
    build: () => {
      const x = random([3, 2, 2, 3], 13)
      return { variables: { x }, f: () => upsampleNearest2x(t4(x)) }
    },
  },
  {
    name: 'relu',
    build: () => {
      const x = random([2, 3, 4], 14)
      return { variables: { x }, f: () => tf.relu(x) }
    },
  },
  {
    name: 'tanh',
    build: () => {
      const x = random([2, 3, 4], 15, 2)
      return { variables: { x }, f: () => tf.tanh(x) }
    },
  },
  {
    name: 'batch norm with batch statistics (x, gain, bias)',
    build: () => {
      let norm: BatchNorm | null = null
      const store = layerStore((b) => (norm = new BatchNorm(b, 'bn', 3)), 16)
      const bn = norm as unknown as BatchNorm
      const [x, y] = [random([4, 2, 2, 3], 17), labels()]
      return {
        variables: { x, gain: store.param('bn.gain'), bias: store.param('bn.bias') },
        f: () => bn.apply(t4(x), y, pass(store)),
        dispose: () => {
          y.dispose()
          store.dispose()
        },
      }
    },
  },
  {
    name: 'conditional batch norm with SN embeddings (x, gain and bias tables)',
    build: () => {
      let cbn: ConditionalBatchNorm | null = null
      const store = layerStore((b) => (cbn = new ConditionalBatchNorm(b, 'cbn', 3, 4, true)), 18)
      const [x, y] = [random([4, 2, 2, 3], 19), labels()]
      const layer = cbn as unknown as ConditionalBatchNorm
      return {
        variables: { x, gain: store.param('cbn.gain.w'), bias: store.param('cbn.bias.w') },
        f: () => layer.apply(t4(x), y, pass(store)),
        dispose: () => {
          y.dispose()
          store.dispose()
        },
      }
    },
  },
  {
    name: 'spectral norm W / sigma(W) with a converged power iteration (conv weight)',
    build: () => {
      const store = layerStore((b) => {
        b.param('w', [3, 3, 2, 4], 'orthogonal')
        new SpectralNorm(b, 'w', [3, 3, 2, 4])
      }, 20)
      return { variables: { w: store.param('w') }, f: () => spectrallyNormalized(store, 'w', false), dispose: () => store.dispose() }
    },
    step: 1e-3,
  },
  {
    name: 'global sum pool of relu (D head input), batch 2',
    build: () => {
      const x = random([2, 3, 3, 4], 21)
      return { variables: { x }, f: () => tf.sum(tf.relu(x), [1, 2]) }
    },
  },
  {
    name: 'projection head linear(h) + sum(embed(y) * h) (h, linear, embedding)',
    build: () => {
      const [h, w, table, y] = [random([4, 5], 22), random([5, 1], 23), random([4, 5], 24), labels()]
      const f = () => tf.add(tf.reshape(tf.matMul(h, w), [-1]), tf.sum(tf.mul(embed(y, t2(table)), h), 1))
      return { variables: { h, w, table }, f, dispose: () => y.dispose() }
    },
  },
  {
    name: 'hinge losses (D real and fake terms, G)',
    build: () => {
      const [real, fake] = [random([4], 25, 0.5), random([4], 26, 0.5)]
      const f = () => {
        const d = discriminatorHinge(real as tf.Tensor as tf.Tensor1D, fake as tf.Tensor as tf.Tensor1D)
        return tf.stack([d.real, d.fake, generatorHinge(fake as tf.Tensor as tf.Tensor1D)])
      }
      return { variables: { real, fake }, f }
    },
  },
  {
    name: 'DiffAugment: colour, translation and cutout with fixed draws, batch 3',
    build: () => {
      const x = random([3, 8, 8, 3], 31)
      const draws = drawAugmentations(new Rng(32), 3, 8, AUGMENT_OPS, 1)
      return { variables: { x }, f: () => diffAugment(t4(x), draws, AUGMENT_OPS) }
    },
  },
  {
    name: 'self-attention block, pooled, gamma 0.5, batch 2 (x and every weight)',
    build: () => {
      let att: SelfAttention | null = null
      const store = layerStore((b) => (att = new SelfAttention(b, 'att', 8, 'pooled', true)), 27)
      tf.tidy(() => store.param('att.gamma').assign(tf.scalar(0.5)))
      const block = att as unknown as SelfAttention
      const x = random([2, 4, 4, 8], 28)
      return { variables: { x, ...Object.fromEntries(store.params) }, f: () => block.apply(t4(x), pass(store)), dispose: () => store.dispose() }
    },
    step: 1e-2,
  },
]

/** Residual blocks: many relus and a pool; checked per element on the input, and along directions over the weights. */
function blockCases(): { name: string; make: (b: ParamBuilder) => (x: tf.Tensor4D, store: ParamStore) => tf.Tensor4D; shape: number[] }[] {
  const y = [0, 1]
  return [
    {
      name: 'G up-block (CBN, relu, upsample, convs, shortcut), batch 2',
      shape: [2, 2, 2, 4],
      make: (b) => {
        const block = new GBlock(b, 'g', 4, 4, { sn: true, upsample: true, makeBn: (name, c) => new ConditionalBatchNorm(b, name, c, 2, true) })
        return (x, store) => tf.tidy(() => block.apply(x, tf.tensor1d(y, 'int32'), pass(store)))
      },
    },
    {
      name: 'D down-block (relu, convs, avg-pool, shortcut), batch 2',
      shape: [2, 4, 4, 3],
      make: (b) => {
        const block = new DBlock(b, 'd', 3, 4, { sn: true, preactivation: true, downsample: true })
        return (x, store) => block.apply(x, pass(store))
      },
    },
  ]
}

for (const backend of ['wasm', 'cpu']) {
  describe(`gradient audit on ${backend}: tfjs's gradient equals central finite differences`, () => {
    for (const c of CASES) {
      test(c.name, async () => {
        await onBackend(backend, () => {
          const before = tf.memory().numTensors
          const { variables, f, dispose } = c.build()
          const check = checkGradients(f, variables, c.step)
          for (const e of check.errors) expect(e.error, e.name).toBeLessThan(2e-3)
          dispose?.()
          for (const v of Object.values(variables)) if (!v.isDisposed) v.dispose()
          expect(tf.memory().numTensors).toBe(before)
        })
      })
    }

    for (const c of blockCases()) {
      test(c.name, async () => {
        await onBackend(backend, () => {
          let apply: ((x: tf.Tensor4D, store: ParamStore) => tf.Tensor4D) | null = null
          const store = layerStore((b) => (apply = c.make(b)), 29)
          const run = apply as unknown as (x: tf.Tensor4D, store: ParamStore) => tf.Tensor4D
          const x = random(c.shape, 30)
          expect(checkGradients(() => run(t4(x), store), { x }, 1e-3).worst).toBeLessThan(2e-3)
          expect(checkDirectional(() => run(t4(x), store), [...store.params.values()])).toBeLessThan(2e-3)
          x.dispose()
          store.dispose()
        })
      })
    }
  })
}

describe('the audit sees the tfjs 4.22 bugs it guards against', () => {
  test("wasm's own max-pool gradient fails the check on all-negative windows", async () => {
    await onBackend('wasm', () => {
      const x = variableOf(windowsOfEverySign([2, 4, 4, 2]), [2, 4, 4, 2])
      expect(checkGradients(() => tf.maxPool(t4(x), 2, 2, 'valid'), { x }).worst).toBeGreaterThan(0.5)
      x.dispose()
    })
  })

  test("cpu's own nearest-neighbour gradient fails the check for batch 3", async () => {
    await onBackend('cpu', () => {
      const x = random([3, 2, 2, 3], 13)
      expect(checkGradients(() => tf.image.resizeNearestNeighbor(t4(x), [4, 4]), { x }).worst).toBeGreaterThan(0.5)
      x.dispose()
    })
  })
})

/** The quick preset's networks at 4 classes, weights from a seed, random weights, every SN power iteration converged, attention gamma 0.5. */
function quickNetworks() {
  const config = buildRunConfig('quick', 'sagan', { numClasses: 4, channels: 1 })
  const [gStore, dStore] = [new ParamStore('G'), new ParamStore('D')]
  const g = new Generator(new ParamBuilder(gStore, new Rng(41)), config, true)
  const d = new Discriminator(new ParamBuilder(dStore, new Rng(42)), config, true)
  for (const [store, net] of [
    [gStore, g],
    [dStore, d],
  ] as const) {
    randomizeAndConverge(store, store === gStore ? 45 : 46)
    for (const att of net.attention) tf.tidy(() => store.param(att.gammaName).assign(tf.scalar(0.5)))
  }
  const y = tf.tensor1d([0, 3], 'int32')
  const z = tf.tensor2d(randomValues(2 * config.zDim, 43), [2, config.zDim])
  const dispose = () => {
    gStore.dispose()
    dStore.dispose()
    tf.dispose([y, z])
  }
  return { config, g, d, gStore, dStore, y, z, dispose }
}

/** D's hinge loss on a real batch (a fixed image with negative and positive pixels) and G's fakes. */
function dLoss(n: ReturnType<typeof quickNetworks>, real: tf.Tensor4D): tf.Scalar {
  const fake = n.g.apply(n.z, n.y, pass(n.gStore))
  const scores = n.d.apply(tf.concat([real, fake]), tf.concat([n.y, n.y]), pass(n.dStore))
  const [sReal, sFake] = tf.split(scores, 2) as [tf.Tensor1D, tf.Tensor1D]
  const hinge = discriminatorHinge(sReal, sFake)
  return tf.add(hinge.real, hinge.fake)
}

// Whole networks: thousands of relu kinks and max-pool windows move at once, so the
// step is small and the tolerance loose (measured: 0.5-0.8% on both backends). This
// catches gross errors (a path without gradient); it did not catch wasm's own max-pool
// gradient, which the per-op table above and the wasm-vs-cpu comparison below do.
const STEP = 1e-4
const NETWORK_TOLERANCE = 2e-2
const realImages = () => tf.tensor4d(randomValues(2 * 32 * 32, 44), [2, 32, 32, 1])

for (const backend of ['wasm', 'cpu']) {
  describe(`whole networks on ${backend}, along random directions over every weight`, () => {
    test('G: images from z and labels (CBN, upsampling, attention, tanh)', async () => {
      await onBackend(backend, () => {
        const n = quickNetworks()
        expect(checkDirectional(() => n.g.apply(n.z, n.y, pass(n.gStore)), [...n.gStore.params.values()], 3, STEP)).toBeLessThan(NETWORK_TOLERANCE)
        n.dispose()
      })
    })

    test('D: scores of real images (down-blocks, attention, sum pool, projection head)', async () => {
      await onBackend(backend, () => {
        const n = quickNetworks()
        const x = realImages()
        expect(checkDirectional(() => n.d.apply(x, n.y, pass(n.dStore)), [...n.dStore.params.values()], 3, STEP)).toBeLessThan(NETWORK_TOLERANCE)
        x.dispose()
        n.dispose()
      })
    })
  })
}

test("the quick D's parameter gradients on wasm equal cpu's, gamma 0.5 (with wasm's own max-pool gradient 7 of 28 differed by more than 1e-3, value.w by 100%)", async () => {
  const gradsOn = (backend: string) =>
    onBackend(backend, () => {
      const n = quickNetworks()
      const real = realImages()
      const names = [...n.dStore.params.keys()]
      const grads = tf.tidy(() => {
        const { grads: g } = tf.variableGrads(() => dLoss(n, real), [...n.dStore.params.values()])
        return names.map((name) => g[n.dStore.param(name).name].dataSync() as Float32Array)
      })
      real.dispose()
      n.dispose()
      return new Map(names.map((name, i) => [name, grads[i]]))
    })
  const [wasm, cpu] = [await gradsOn('wasm'), await gradsOn('cpu')]
  const differing = [...cpu].filter(([name, g]) => relativeError(wasm.get(name) as Float32Array, g) > 1e-3).map(([name]) => name)
  expect(differing).toEqual([])
})
