import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../engine/backend'
import { DatasetClassifier } from './dataset-classifier'
import { fashionMnistMissing, loadFashionMnist } from '../testing/fashion-mnist'
import { frechetDistance } from './fid'
import type { ImageBatch } from './image-batch'
import { seededNormal } from '../random'

/** Real images with Gaussian pixel noise of the given standard deviation (in 0..255 units), clipped. */
function withNoise(b: ImageBatch, sigma: number, seed: number): ImageBatch {
  const normal = seededNormal(seed)
  return { ...b, images: b.images.map((v) => Math.min(255, Math.max(0, Math.round(v + sigma * normal())))) }
}

const missing = fashionMnistMissing()

describe.skipIf(missing !== null)(`dataset classifier on Fashion-MNIST${missing ? ` — SKIPPED: ${missing}` : ''}`, () => {
  let classifier: DatasetClassifier

  beforeAll(async () => {
    await initBackend('wasm')
    // 1800 training images, 2 epochs: about 30 s on 2 cores with wasm.
    classifier = await DatasetClassifier.train(loadFashionMnist('train', 2000), { epochs: 2, seed: 7 })
    console.log(`Fashion-MNIST extractor: ${classifier.detail}`)
  })

  it('learns the ten classes well above chance (measured: 71.5% held out after 2 epochs on 1800 images)', () => {
    expect(classifier.id).toBe('dataset-classifier')
    expect(classifier.heldOut.nHeldOut).toBe(200)
    expect(classifier.heldOut.accuracy).toBeGreaterThan(0.6)
    expect(classifier.detail).toMatch(/held-out accuracy \d+\.\d% on 200 \(chance 10%\)/)
  })

  it('gives lower FID as generated images approach the real ones', async () => {
    const real = (await classifier.extract(loadFashionMnist('t10k', 1000))).features
    const others = loadFashionMnist('train', 2600)
    const fakeBase: ImageBatch = { ...others, images: others.images.subarray(2000 * 784) } // unseen by the classifier
    const fids: number[] = []
    for (const sigma of [96, 48, 16, 0]) {
      const fake = (await classifier.extract(withNoise(fakeBase, sigma, sigma))).features
      fids.push(frechetDistance(real, fake).fid)
    }
    for (let i = 1; i < fids.length; i++) expect(fids[i]).toBeLessThan(fids[i - 1])
    expect(fids[3]).toBeLessThan(fids[0] / 5)
  })

  it('restores from its bytes and gives the same features', async () => {
    const images = loadFashionMnist('t10k', 50)
    const restored = DatasetClassifier.restore(classifier.serialize())
    const a = await classifier.extract(images)
    const b = await restored.extract(images)
    expect(restored.detail).toBe(classifier.detail)
    expect(Array.from(b.features.data)).toEqual(Array.from(a.features.data))
    expect(Array.from(b.predictedClasses!)).toEqual(Array.from(a.predictedClasses!))
    restored.dispose()
  })

  it('leaves no tensors behind when extracting features', async () => {
    const images = loadFashionMnist('t10k', 20)
    await classifier.extract(images) // first call may allocate backend state
    const before = tf.memory().numTensors
    await classifier.extract(images)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('refuses images of another size than it was trained on', async () => {
    await expect(classifier.extract({ images: new Uint8Array(32 * 32), imageSize: 32, channels: 1 })).rejects.toThrow(/trained on 28x28x1/)
  })

  it('learns image rotations well above chance when the dataset has a single class', async () => {
    const oneClass = { ...loadFashionMnist('train', 600), numClasses: 1, labels: new Int32Array(600) }
    const rotation = await DatasetClassifier.train(oneClass, { epochs: 1, seed: 3 })
    expect(rotation.id).toBe('dataset-rotation-classifier')
    expect(rotation.heldOut.chance).toBe(0.25)
    console.log(`one-class extractor: ${rotation.detail}`)
    expect(rotation.heldOut.accuracy).toBeGreaterThan(0.5) // measured 64.2% on 240 after one epoch on 540 images
    expect((await rotation.extract(loadFashionMnist('t10k', 10))).predictedClasses).toBeUndefined()
    rotation.dispose()
  })
})
