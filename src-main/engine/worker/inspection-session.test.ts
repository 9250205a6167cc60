import { beforeAll, expect, test } from 'vitest'
import { initBackend } from '../backend'
import { fixedLatents, SHEET_PER_CLASS } from '../fixed-latents'
import { testImages } from '../../testing/fashion-mnist'
import { TINY_SESSION_CONFIG } from '../testing/tiny-run'
import type { Checkpoint, Samples, TrainingEvents } from './training-contract'
import { InspectionSession } from './inspection-session'
import { TrainingSession } from './training-session'

beforeAll(async () => {
  await initBackend('wasm')
})

const pool = testImages(24)
const classNames = [...'0123456789']
const config = TINY_SESSION_CONFIG

test("an inspection session answers from a checkpoint, loads another in place, and draws the trained run's own sheet", async () => {
  const checkpoints: Checkpoint[] = []
  const sheets: Samples[] = []
  const events = new Proxy({} as TrainingEvents, {
    get: (_, type) => (arg: unknown) => {
      if (type === 'checkpointTaken') checkpoints.push(arg as Checkpoint)
      if (type === 'sheet') sheets.push(arg as Samples)
    },
  })
  const trained = new TrainingSession(events)
  await trained.start({ config, dataset: { ...pool, classNames, imageSize: 32, channels: 1 } })
  await trained.settled()
  const [at3, at4] = checkpoints

  const inspector = new InspectionSession()
  expect(await inspector.open({ config, classNames, state: at3.bytes })).toMatchObject({ backend: { name: 'wasm' }, step: 3 })
  const z = new Float32Array(128).fill(0.5)
  const attention = await inspector.attention(z, 4, { x: 10, y: 20 }, 'ema')
  expect(attention).toMatchObject({ width: 16, height: 16, layer: 'G.attention32' })
  expect(attention.map.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4)

  expect(await inspector.load(at4.bytes)).toEqual({ step: 4 })
  // Step 4's sheet, drawn again from the loaded state, is the trained run's own sheet.
  const sheet = sheets.find((s) => s.step === 4 && s.weights === 'raw')!
  expect(await inspector.samples(fixedLatents(config, SHEET_PER_CLASS, config.seed).z, sheet.labels, 'raw')).toEqual(sheet.images)
  await expect(inspector.open({ config, classNames, state: at4.bytes })).rejects.toThrow(/already holds a run/)
})
