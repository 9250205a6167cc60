import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { FASHION_MNIST_CLASSES } from '../../scripts/build-demo-dataset'
import { checkDataset } from './load'

const demo = fileURLToPath(new URL('../../resources/demo-dataset/fashion-mnist', import.meta.url))

it('the built-in demo dataset is ten clean, balanced, grey Fashion-MNIST classes', async () => {
  const report = await checkDataset(demo, { imageSize: 32 })
  expect(report.classes.map((c) => c.name)).toEqual(FASHION_MNIST_CLASSES)
  expect(report.classes.every((c) => c.count === 120 && c.channels === 1 && c.typicalWidth === 28)).toBe(true)
  expect(report.skipped).toEqual([])
  expect(report.warnings).toEqual([])
  expect(report.channels).toBe(1)
})
