import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../engine/backend'
import { inceptionModelStatus, loadInceptionExtractor } from './inception-extractor'
import { inceptionScore } from './inception-score'

const dim = (sizes: number[]) => ({ dim: sizes.map((s) => ({ size: String(s) })) })
const floatConst = (name: string, shape: number[]) => ({
  name,
  op: 'Const',
  attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dim(shape) } }, dtype: { type: 'DT_FLOAT' } },
})
const matMul = (name: string, a: string, b: string) => ({
  name,
  op: 'MatMul',
  input: [a, b],
  attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: 'DT_FLOAT' } },
})

/**
 * Writes a tiny TF.js graph model with Inception-v3's signature: images [-1, 299, 299, 3] ->
 * spatial mean [N, 3] -> "pool_3" [N, featureDim] (and optionally "logits" [N, 1008]).
 */
function writeTinyGraphModel(dir: string, featureDim: number, withLogits: boolean): Float32Array {
  const w = Float32Array.from({ length: 3 * featureDim }, (_, i) => ((i * 7919) % 13) / 13 - 0.5)
  const nodes: object[] = [
    { name: 'images', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dim([-1, 299, 299, 3]) } } },
    { name: 'axes', op: 'Const', attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: dim([2]) } }, dtype: { type: 'DT_INT32' } } },
    floatConst('w', [3, featureDim]),
    { name: 'mean', op: 'Mean', input: ['images', 'axes'], attr: { keep_dims: { b: false }, T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' } } },
    matMul('pool_3', 'mean', 'w'),
  ]
  const weights = [
    { name: 'axes', shape: [2], dtype: 'int32' },
    { name: 'w', shape: [3, featureDim], dtype: 'float32' },
  ]
  const buffers: Uint8Array[] = [new Uint8Array(Int32Array.from([1, 2]).buffer), new Uint8Array(w.buffer)]
  if (withLogits) {
    nodes.push(floatConst('wl', [featureDim, 1008]), matMul('logits', 'pool_3', 'wl'))
    weights.push({ name: 'wl', shape: [featureDim, 1008], dtype: 'float32' })
    buffers.push(new Uint8Array(Float32Array.from({ length: featureDim * 1008 }, (_, i) => ((i * 31) % 17) / 170).buffer))
  }
  const model = {
    format: 'graph-model',
    generatedBy: 'sagan-studio test',
    convertedBy: 'hand-written',
    modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
  }
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model))
  writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.concat(buffers))
  return w
}

describe('Inception-v3 extractor loading', () => {
  const dirs: string[] = []
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'inception-'))
    dirs.push(d)
    return d
  }
  beforeAll(async () => {
    await initBackend('wasm')
  })
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

  it('explains a missing model instead of faking one', async () => {
    const dir = tempDir()
    expect(inceptionModelStatus(undefined)).toMatchObject({ available: false, reason: expect.stringMatching(/dataset classifier features instead/) })
    expect(inceptionModelStatus(dir)).toMatchObject({ available: false, reason: expect.stringMatching(/model\.json not found/) })
    await expect(loadInceptionExtractor(dir)).rejects.toThrow(/model\.json not found/)
  })

  it('loads a graph model with the pool3 signature from a folder and extracts 2048-d features', async () => {
    const dir = tempDir()
    const w = writeTinyGraphModel(dir, 2048, false)
    const extractor = await loadInceptionExtractor(dir, { inputRange: [-1, 1] })
    // Two 8x8 grey images: all black, and all white. Resized to 299 and tiled to RGB.
    const images = new Uint8Array(2 * 64)
    images.fill(255, 64)
    const { features, inceptionProbabilities } = await extractor.extract({ images, imageSize: 8, channels: 1 })
    expect(features.rows).toBe(2)
    expect(features.cols).toBe(2048)
    // mean over pixels is -1 (black) or +1 (white) per channel, so feature j = +-(w0j + w1j + w2j).
    for (const j of [0, 1, 2047]) {
      const colSum = w[j] + w[2048 + j] + w[2 * 2048 + j]
      expect(features.data[j]).toBeCloseTo(-colSum, 4)
      expect(features.data[2048 + j]).toBeCloseTo(colSum, 4)
    }
    expect(inceptionProbabilities).toBeUndefined()
    expect(extractor.resize(8)).toBe('bilinear 8->299')
    expect(extractor.detail).toMatch(/no Inception Score/)
    extractor.dispose()
  })

  it('reads ImageNet class scores from a second named output, for the Inception Score', async () => {
    const dir = tempDir()
    writeTinyGraphModel(dir, 2048, true)
    const extractor = await loadInceptionExtractor(dir, { outputs: ['pool_3', 'logits'] })
    const { inceptionProbabilities } = await extractor.extract({ images: new Uint8Array(3 * 8 * 8 * 3).map((_, i) => i % 256), imageSize: 8, channels: 3 })
    expect(inceptionProbabilities).toMatchObject({ source: 'inception-v3-imagenet', rows: 3, cols: 1008 })
    const rowSum = inceptionProbabilities!.data.subarray(0, 1008).reduce((a, b) => a + b, 0)
    expect(rowSum).toBeCloseTo(1, 4)
    expect(inceptionScore(inceptionProbabilities!, 1).mean).toBeGreaterThanOrEqual(1)
    extractor.dispose()
  })

  it('refuses a model whose output is not 2048 pool3 features', async () => {
    const dir = tempDir()
    writeTinyGraphModel(dir, 512, false)
    await expect(loadInceptionExtractor(dir)).rejects.toThrow(/not an Inception-v3 pool3 model: outputs pool_3 \(512\)/)
  })
})
