import { beforeAll, describe, expect, test } from 'vitest'
import { buildRunConfig } from '../../../src-shared/run-config'
import { initBackend } from '../backend'
import { testImages } from '../../testing/fashion-mnist'
import { TINY_SESSION_CONFIG } from '../testing/tiny-run'
import { spawnReplicaFromSource } from '../testing/replica-from-source'
import type { DatasetPayload, TrainingEvents, TrainingStart } from './training-contract'
import { type SessionOptions, TrainingSession } from './training-session'

beforeAll(async () => {
  await initBackend('wasm')
})

// The session is driven directly (no worker_threads): the worker shell only serves its calls.
const pool = testImages(24)
const dataset: DatasetPayload = { ...pool, classNames: [...'0123456789'], imageSize: 32, channels: 1 }
const config = TINY_SESSION_CONFIG

type Event = { [K in keyof TrainingEvents]: { type: K; args: Parameters<TrainingEvents[K]> } }[keyof TrainingEvents]

/** A session whose events are recorded in order. */
function recorder(options: SessionOptions = {}) {
  const events: Event[] = []
  const record = new Proxy({} as TrainingEvents, {
    get:
      (_, type) =>
      (...args: unknown[]) =>
        events.push({ type, args } as Event),
  })
  const session = new TrainingSession(record, options)
  const of = <T extends keyof TrainingEvents>(type: T) => events.flatMap((e) => (e.type === type ? [e.args as Parameters<TrainingEvents[T]>] : []))
  /** Starts and waits for the loop to end (completed, paused or stopped). */
  const run = async (start: TrainingStart) => {
    const ready = await session.start(start)
    await session.settled()
    return ready
  }
  return { events, session, of, run, last: () => events.at(-1) }
}

describe('TrainingSession', () => {
  test('a run reports ready, progress, sample sheets and checkpoints, and completes at the target step', async () => {
    const { of, run, last } = recorder()
    const ready = await run({ config, dataset })
    expect(ready).toMatchObject({ backend: { name: 'wasm' }, step: 0, attentionLayers: ['G.attention32', 'D.attention16'] })
    const progress = of('progress').map(([p]) => p)
    expect(progress.at(-1)).toMatchObject({ step: 4, targetStep: 4, backend: 'wasm', etaSeconds: 0 })
    expect(progress.at(-1)!.imagesPerSecond).toBeGreaterThan(0)
    expect(of('sheet').map(([s]) => [s.step, s.count, s.weights])).toEqual([
      [2, 80, 'raw'],
      [2, 80, 'ema'],
      [4, 80, 'raw'],
      [4, 80, 'ema'],
    ])
    expect(of('checkpointTaken').map(([c]) => [c.reason, c.step])).toEqual([
      ['interval', 3],
      ['final', 4],
    ])
    expect(last()).toEqual({ type: 'completed', args: [4] })
  })

  test('resuming from a checkpoint continues to the same final state as an uninterrupted run', async () => {
    const straight = recorder()
    await straight.run({ config, dataset })
    const [finalStraight] = straight.of('checkpointTaken').at(-1)!

    const first = recorder()
    await first.run({ config: { ...config, steps: 3 }, dataset })
    const [midway] = first.of('checkpointTaken').at(-1)!
    expect(midway.step).toBe(3)
    const second = recorder()
    await second.run({ config, dataset, resume: { state: midway.bytes, sampler: midway.sampler } })
    const [finalResumed] = second.of('checkpointTaken').at(-1)!
    expect(finalResumed.step).toBe(4)
    expect(finalResumed.sampler).toEqual(finalStraight.sampler)
    const a = new Float32Array(finalResumed.bytes.buffer.slice(-4096))
    const b = new Float32Array(finalStraight.bytes.buffer.slice(-4096))
    const err = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)
    expect(err).toBeLessThan(1e-5)
  })

  test('pause stops after the current step; requests are answered while paused; stop sends a final checkpoint', async () => {
    const { session, of, last } = recorder()
    await session.start({ config: { ...config, steps: 1000 }, dataset })
    await new Promise((r) => setTimeout(r, 50))
    await session.pause()
    await session.settled()
    const [pausedAt] = of('paused')[0]
    expect(pausedAt).toBeGreaterThanOrEqual(1)

    const z = new Float32Array(2 * 128).fill(0.5)
    expect(await session.samples(z, Int32Array.of(1, 2), 'raw')).toMatchObject({ count: 2, step: pausedAt, weights: 'raw' })
    expect(await session.checkpoint()).toMatchObject({ reason: 'requested', step: pausedAt })

    await session.stop()
    expect(of('checkpointTaken').at(-1)?.[0].reason).toBe('final')
    expect(last()).toEqual({ type: 'stopped', args: [pausedAt] })
    await expect(session.checkpoint()).rejects.toThrow('run has ended')
  })

  test('a config that cannot fit the wasm heap is refused with advice, before any training', async () => {
    const { session, events } = recorder()
    await expect(
      session.start({ config: buildRunConfig('paper', 'sagan', { numClasses: 10, backend: 'wasm' }), dataset: { ...dataset, imageSize: 128 } }),
    ).rejects.toThrow(/more than the wasm backend's 4.0 GiB/)
    expect(events).toEqual([])
  })

  test('with replicas the run trains data-parallel, checks lockstep at each checkpoint, and its checkpoints resume without replicas', async () => {
    const parallel = { ...config, batchSize: 8, replicas: 2, checkpointEvery: { steps: 2, minutes: 60 } }
    const { of, run, last } = recorder({ spawnReplica: spawnReplicaFromSource })
    const ready = await run({ config: parallel, dataset })
    expect(of('failed')).toEqual([])
    expect(ready.replicas).toEqual({ count: 2, reason: 'replicas 2 in the run config' })
    expect(ready.memory.fits).toBe(true)
    expect(of('progress').at(-1)?.[0]).toMatchObject({ step: 4, backend: 'wasm × 2' })
    expect(of('checkpointTaken').map(([c]) => [c.reason, c.step])).toEqual([
      ['interval', 2],
      ['interval', 4],
      ['final', 4],
    ])
    expect(last()).toEqual({ type: 'completed', args: [4] })

    const [atTwo] = of('checkpointTaken')[0]
    const alone = recorder()
    expect(await alone.run({ config: { ...parallel, replicas: 1, steps: 3 }, dataset, resume: { state: atTwo.bytes, sampler: atTwo.sampler } })).toMatchObject({
      step: 2,
      replicas: { count: 1 },
    })
    expect(alone.last()).toEqual({ type: 'completed', args: [3] })
  }, 120_000)

  test('replicas that cannot start leave the run training alone, saying why', async () => {
    const { of, run, last } = recorder({ spawnReplica: (init) => spawnReplicaFromSource({ ...init, backend: 'no-such-backend' as never }) })
    const ready = await run({ config: { ...config, batchSize: 8, replicas: 2, steps: 2 }, dataset })
    expect(ready.replicas).toEqual({
      count: 1,
      reason: expect.stringMatching(/^replicas could not start \(replica 1 could not start: initBackend: unknown backend preference "no-such-backend"/),
    })
    expect(of('progress').at(-1)?.[0]).toMatchObject({ step: 2, backend: 'wasm' })
    expect(last()).toEqual({ type: 'completed', args: [2] })
  }, 120_000)

  test('a run that fits only as replicas is refused, with both reasons, when the replicas cannot start', async () => {
    // batch 192 of this model: about 2.8 GiB per replica of 2, 5.6 GiB alone (the wasm heap holds 4).
    const { session, events } = recorder({ spawnReplica: (init) => spawnReplicaFromSource({ ...init, backend: 'no-such-backend' as never }) })
    await expect(session.start({ config: { ...config, batchSize: 192, replicas: 2 }, dataset })).rejects.toThrow(
      /^replicas could not start \(replica 1 could not start: .*\); training alone instead: This run needs about 5\.6 GiB, more than the wasm backend's 4\.0 GiB/,
    )
    expect(events).toEqual([])
  }, 120_000)
})
