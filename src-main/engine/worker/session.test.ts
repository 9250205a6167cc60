import { beforeAll, describe, expect, test } from 'vitest'
import { buildRunConfig } from '../../../src-shared/run-config'
import { initBackend } from '../backend'
import { testImages } from '../testing/fashion-mnist'
import type { DatasetPayload, MainToWorker, WorkerToMain } from './messages'
import { fixedLatents, SHEET_PER_CLASS } from '../fixed-latents'
import { spawnReplicaFromSource } from '../testing/replica-from-source'
import { type SessionOptions, TrainingSession } from './session'

beforeAll(async () => {
  await initBackend('wasm')
})

// The session is driven directly (no worker_threads): the worker shell only forwards messages.
const pool = testImages(24)
const dataset: DatasetPayload = { ...pool, classNames: [...'0123456789'], imageSize: 32, channels: 1 }
const config = buildRunConfig('quick', 'sagan', {
  gCh: 8, dCh: 8, batchSize: 4, steps: 4, numClasses: 10, channels: 1, seed: 3, backend: 'wasm',
  sampleEvery: 2, checkpointEvery: { steps: 3, minutes: 60 },
})

function recorder(options: SessionOptions = {}) {
  const messages: WorkerToMain[] = []
  const session = new TrainingSession((m) => messages.push(m), options)
  const of = <T extends WorkerToMain['type']>(type: T) => messages.filter((m): m is Extract<WorkerToMain, { type: T }> => m.type === type)
  return { messages, session, of }
}

describe('TrainingSession', () => {
  test('a run reports ready, progress, sample sheets and checkpoints, and completes at the target step', async () => {
    const { session, of, messages } = recorder()
    await session.handle({ type: 'start', config, dataset })
    expect(of('ready')[0]).toMatchObject({ backend: { name: 'wasm' }, step: 0, attentionLayers: ['G.attention32', 'D.attention16'] })
    const progress = of('progress')
    expect(progress.at(-1)).toMatchObject({ step: 4, targetStep: 4, backend: 'wasm', etaSeconds: 0 })
    expect(progress.at(-1)!.imagesPerSecond).toBeGreaterThan(0)
    expect(of('samples').map((s) => [s.step, s.count, s.weights])).toEqual([[2, 80, 'raw'], [2, 80, 'ema'], [4, 80, 'raw'], [4, 80, 'ema']])
    expect(of('checkpoint').map((c) => [c.reason, c.step])).toEqual([['interval', 3], ['final', 4]])
    expect(messages.at(-1)).toEqual({ type: 'completed', step: 4 })
  })

  test('resuming from a checkpoint message continues to the same final state as an uninterrupted run', async () => {
    const straight = recorder()
    await straight.session.handle({ type: 'start', config, dataset })
    const finalStraight = straight.of('checkpoint').at(-1)!

    const first = recorder()
    await first.session.handle({ type: 'start', config: { ...config, steps: 3 }, dataset })
    const midway = first.of('checkpoint').at(-1)!
    expect(midway.step).toBe(3)
    const second = recorder()
    await second.session.handle({ type: 'start', config, dataset, resume: { state: midway.bytes, sampler: midway.sampler } })
    const finalResumed = second.of('checkpoint').at(-1)!
    expect(finalResumed.step).toBe(4)
    expect(finalResumed.sampler).toEqual(finalStraight.sampler)
    const a = new Float32Array(finalResumed.bytes.buffer.slice(-4096))
    const b = new Float32Array(finalStraight.bytes.buffer.slice(-4096))
    const err = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)
    expect(err).toBeLessThan(1e-5)
  })

  test('pause stops after the current step; requests are answered while paused; stop sends a final checkpoint', async () => {
    const { session, of, messages } = recorder()
    const running = session.handle({ type: 'start', config: { ...config, steps: 1000 }, dataset })
    await new Promise((r) => setTimeout(r, 50))
    await session.handle({ type: 'pause' })
    await running
    const paused = of('paused')[0]
    expect(paused.step).toBeGreaterThanOrEqual(1)

    const z = new Float32Array(2 * 128).fill(0.5)
    await session.handle({ type: 'requestSamples', requestId: 7, z, labels: Int32Array.of(1, 2), weights: 'raw' })
    expect(of('samples').find((s) => s.requestId === 7)).toMatchObject({ count: 2, step: paused.step, weights: 'raw' })
    await session.handle({ type: 'requestAttention', requestId: 8, z: z.subarray(0, 128), label: 4, query: { x: 10, y: 20 }, weights: 'ema' })
    expect(of('attention')[0]).toMatchObject({ requestId: 8, attention: { width: 16, height: 16, layer: 'G.attention32' } })
    await session.handle({ type: 'requestCheckpoint', requestId: 9 })
    expect(of('checkpoint').find((c) => c.requestId === 9)?.step).toBe(paused.step)

    await session.handle({ type: 'stop' })
    expect(of('checkpoint').at(-1)?.reason).toBe('final')
    expect(messages.at(-1)).toEqual({ type: 'stopped', step: paused.step })
    await session.handle({ type: 'requestCheckpoint', requestId: 10 } as MainToWorker)
    expect(of('error').at(-1)).toMatchObject({ requestId: 10, message: expect.stringContaining('run has ended') })
  })

  test('a config that cannot fit the wasm heap is refused with advice, before any training', async () => {
    const { session, of } = recorder()
    await session.handle({ type: 'start', config: buildRunConfig('paper', 'sagan', { numClasses: 10, backend: 'wasm' }), dataset: { ...dataset, imageSize: 128 } })
    expect(of('ready')).toEqual([])
    expect(of('error')[0].message).toMatch(/more than the wasm backend's 4.0 GiB/)
  })

  test('an inspect-only session loads another checkpoint in place and answers from it; a training one refuses', async () => {
    const trained = recorder()
    await trained.session.handle({ type: 'start', config, dataset })
    const [at3, at4] = trained.of('checkpoint')
    const inspector = recorder()
    await inspector.session.handle({ type: 'start', config, dataset: { ...dataset, images: new Uint8Array(0), labels: new Int32Array(0) }, resume: { state: at3.bytes }, inspectOnly: true })
    await inspector.session.handle({ type: 'inspectState', requestId: 7, state: at4.bytes })
    expect(inspector.of('inspecting')).toEqual([{ type: 'inspecting', requestId: 7, step: 4 }])
    // Step 4's sheet, drawn again from the loaded state, is the trained run's own sheet.
    const sheet = trained.of('samples').find((s) => s.step === 4 && s.weights === 'raw')!
    await inspector.session.handle({ type: 'requestSamples', requestId: 8, z: fixedLatents(config, SHEET_PER_CLASS, config.seed).z, labels: sheet.labels, weights: 'raw' })
    expect(inspector.of('samples').at(-1)!.images).toEqual(sheet.images)

    const live = recorder()
    await live.session.handle({ type: 'start', config: { ...config, steps: 1 }, dataset })
    await live.session.handle({ type: 'inspectState', requestId: 9, state: at4.bytes })
    expect(live.of('error').at(-1)).toMatchObject({ requestId: 9, message: expect.stringMatching(/only an inspect-only worker/) })
  })

  test('with replicas the run trains data-parallel, checks lockstep at each checkpoint, and its checkpoints resume without replicas', async () => {
    const parallel = { ...config, batchSize: 8, replicas: 2, checkpointEvery: { steps: 2, minutes: 60 } }
    const { session, of, messages } = recorder({ spawnReplica: spawnReplicaFromSource })
    await session.handle({ type: 'start', config: parallel, dataset })
    expect(of('error')).toEqual([])
    expect(of('ready')[0].replicas).toEqual({ count: 2, reason: 'replicas 2 in the run config' })
    expect(of('ready')[0].memory.fits).toBe(true)
    expect(of('progress').at(-1)).toMatchObject({ step: 4, backend: 'wasm × 2' })
    expect(of('checkpoint').map((c) => [c.reason, c.step])).toEqual([['interval', 2], ['interval', 4], ['final', 4]])
    expect(messages.at(-1)).toEqual({ type: 'completed', step: 4 })

    const atTwo = of('checkpoint')[0]
    const alone = recorder()
    await alone.session.handle({ type: 'start', config: { ...parallel, replicas: 1, steps: 3 }, dataset, resume: { state: atTwo.bytes, sampler: atTwo.sampler } })
    expect(alone.of('ready')[0]).toMatchObject({ step: 2, replicas: { count: 1 } })
    expect(alone.messages.at(-1)).toEqual({ type: 'completed', step: 3 })
  }, 120_000)

  test('replicas that cannot start leave the run training alone, saying why', async () => {
    const { session, of, messages } = recorder({ spawnReplica: (init) => spawnReplicaFromSource({ ...init, backend: 'no-such-backend' as never }) })
    await session.handle({ type: 'start', config: { ...config, batchSize: 8, replicas: 2, steps: 2 }, dataset })
    expect(of('ready')[0].replicas).toEqual({ count: 1, reason: expect.stringMatching(/^replicas could not start \(replica 1 could not start: initBackend: unknown backend preference "no-such-backend"/) })
    expect(of('progress').at(-1)).toMatchObject({ step: 2, backend: 'wasm' })
    expect(messages.at(-1)).toEqual({ type: 'completed', step: 2 })
  }, 120_000)

  test('a run that fits only as replicas is refused, with both reasons, when the replicas cannot start', async () => {
    // batch 192 of this model: about 2.8 GiB per replica of 2, 5.6 GiB alone (the wasm heap holds 4).
    const { session, of } = recorder({ spawnReplica: (init) => spawnReplicaFromSource({ ...init, backend: 'no-such-backend' as never }) })
    await session.handle({ type: 'start', config: { ...config, batchSize: 192, replicas: 2 }, dataset })
    expect(of('ready')).toEqual([])
    expect(of('error')[0].message).toMatch(/^replicas could not start \(replica 1 could not start: .*\); training alone instead: This run needs about 5\.6 GiB, more than the wasm backend's 4\.0 GiB/)
  }, 120_000)
})

