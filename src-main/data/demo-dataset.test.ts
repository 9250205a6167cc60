import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { checkDataset } from './load'

const demo = fileURLToPath(new URL('../../resources/demo-dataset/fashion-mnist', import.meta.url))

it('the built-in demo dataset is ten clean, balanced, grey Fashion-MNIST classes', async () => {
  const report = await checkDataset(demo, { imageSize: 32 })
  expect(report.classes.map((c) => c.name)).toEqual([
    '0-T-shirt-top',
    '1-Trouser',
    '2-Pullover',
    '3-Dress',
    '4-Coat',
    '5-Sandal',
    '6-Shirt',
    '7-Sneaker',
    '8-Bag',
    '9-Ankle-boot',
  ])
  expect(report.classes.every((c) => c.count === 120 && c.channels === 1 && c.typicalWidth === 28)).toBe(true)
  expect(report.skipped).toEqual([])
  expect(report.warnings).toEqual([])
  expect(report.channels).toBe(1)
})
