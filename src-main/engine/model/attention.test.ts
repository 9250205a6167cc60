import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { initBackend } from '../backend'
import { Rng } from '../../random'
import { onBackend, randomValues, relativeError } from '../testing/numerics'
import { type AttentionVariant, SelfAttention } from './attention'
import { type ForwardContext, ParamBuilder, ParamStore } from './params'

beforeAll(async () => {
  await initBackend('wasm')
})

const [B, H, W, C] = [2, 4, 6, 16]

/** An attention block without SN (the naive loop reads raw weights), random weights, gamma = 0.7. */
function makeBlock(variant: AttentionVariant, gamma = 0.7) {
  const store = new ParamStore('test')
  const block = new SelfAttention(new ParamBuilder(store, new Rng(5)), 'att', C, variant, false)
  store.param('att.gamma').assign(tf.scalar(gamma))
  const ctx: ForwardContext = { store, training: true, updateSn: false, updateStats: false }
  const weight = (name: string) => store.param(`att.${name}.w`).dataSync() // [1, 1, cin, cout]
  return { store, block, ctx, weight }
}

/** 1x1 conv at every position: x [P][cin] -> [P][cout]. */
function project(x: number[][], w: ArrayLike<number>, cout: number): number[][] {
  return x.map((px) => Array.from({ length: cout }, (_, o) => px.reduce((s, v, c) => s + v * w[c * cout + o], 0)))
}

/** The formula of the SAGAN paper (Zhang et al. 2019, eq. 1-2), one image, float64, plain loops. x: [H*W][C] -> [H*W][C]. */
function naiveAttention(x: number[][], weight: (n: string) => ArrayLike<number>, gamma: number, variant: AttentionVariant): number[][] {
  const q = project(x, weight('query'), C / 8)
  let k = project(x, weight('key'), C / 8)
  let v = project(x, weight('value'), C / 2)
  if (variant === 'pooled') {
    const pool = (m: number[][]) => {
      const out: number[][] = []
      for (let i = 0; i < H; i += 2)
        for (let j = 0; j < W; j += 2) {
          const cells = [m[i * W + j], m[i * W + j + 1], m[(i + 1) * W + j], m[(i + 1) * W + j + 1]]
          out.push(cells[0].map((_, c) => Math.max(...cells.map((cell) => cell[c]))))
        }
      return out
    }
    k = pool(k)
    v = pool(v)
  }
  const attended = q.map((qi) => {
    const logits = k.map((kj) => kj.reduce((s, kv, c) => s + kv * qi[c], 0))
    const max = Math.max(...logits)
    const e = logits.map((l) => Math.exp(l - max))
    const z = e.reduce((a, b) => a + b, 0)
    const beta = e.map((x) => x / z) // softmax over keys
    return Array.from({ length: C / 2 }, (_, c) => beta.reduce((s, b, j) => s + b * v[j][c], 0))
  })
  const o = project(attended, weight('out'), C)
  return x.map((px, n) => px.map((val, c) => val + gamma * o[n][c]))
}

for (const backend of ['cpu', 'wasm']) {
  describe(`self-attention on ${backend}`, () => {
    for (const variant of ['pooled', 'full'] as const) {
      test(`${variant}: output equals a naive loop over the formula (1e-5)`, async () => {
        await onBackend(backend, () => {
          const { store, block, ctx, weight } = makeBlock(variant)
          const xv = randomValues(B * H * W * C, 21)
          const got = tf.tidy(() => block.apply(tf.tensor4d(xv, [B, H, W, C]), ctx).dataSync())
          const expected: number[] = []
          for (let b = 0; b < B; b++) {
            const x = Array.from({ length: H * W }, (_, n) => Array.from(xv.subarray((b * H * W + n) * C, (b * H * W + n + 1) * C)))
            expected.push(...naiveAttention(x, weight, 0.7, variant).flat())
          }
          expect(relativeError(got, expected)).toBeLessThan(1e-5)
          store.dispose()
        })
      })

      test(`${variant}: every attention row sums to 1 over the keys`, async () => {
        await onBackend(backend, () => {
          const { store, block, ctx } = makeBlock(variant)
          let sums: Float32Array | null = null
          let keys = 0
          tf.tidy(() => {
            block.apply(tf.tensor4d(randomValues(B * H * W * C, 22), [B, H, W, C]), {
              ...ctx,
              onAttention: (_name, beta) => {
                keys = beta.shape[2]
                sums = tf.sum(beta, 2).dataSync() as Float32Array
              },
            })
          })
          expect(keys).toBe(variant === 'pooled' ? (H * W) / 4 : H * W)
          for (const s of sums ?? []) expect(s).toBeCloseTo(1, 5)
          store.dispose()
        })
      })
    }

    test('with gamma = 0 the block is the identity', async () => {
      await onBackend(backend, () => {
        const { store, block, ctx } = makeBlock('pooled', 0)
        const xv = randomValues(B * H * W * C, 23)
        const got = tf.tidy(() => block.apply(tf.tensor4d(xv, [B, H, W, C]), ctx).dataSync())
        expect(Array.from(got)).toEqual(Array.from(xv))
        store.dispose()
      })
    })

    test('gamma receives a non-zero gradient even at its initial value 0', async () => {
      await onBackend(backend, () => {
        const { store, block, ctx } = makeBlock('pooled', 0)
        const r = tf.tensor4d(randomValues(B * H * W * C, 24), [B, H, W, C])
        const x = tf.tensor4d(randomValues(B * H * W * C, 25), [B, H, W, C])
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(block.apply(x, ctx), r)), [store.param('att.gamma')])
        const g = Object.values(grads)[0].dataSync()[0]
        expect(Math.abs(g)).toBeGreaterThan(1e-3)
        tf.dispose([r, x, ...Object.values(grads)])
        store.dispose()
      })
    })
  })
}
