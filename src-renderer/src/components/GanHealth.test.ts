import { render, screen, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it } from 'vitest'
import { TrainingStore } from '../../../src-main/store/training-store'
import { sampleRun } from '../../../src-main/testing/studio-fixture'
import { buildRunConfig } from '../../../src-shared/run-config'
import type { LogPoint } from '../../../src-shared/training'
import '../test/canvas-stub'
import { realStudioConnection } from '../test/real-studio'
import GanHealth from './GanHealth.svelte'

let cleanup: (() => void) | undefined
afterEach(() => cleanup?.())

const point = (step: number, realSign: number | null, augmentP: number | null): LogPoint => ({
  step,
  dLossReal: 1,
  dLossFake: 1,
  gLoss: 1,
  gammas: [],
  realSign,
  augmentP,
  imagesPerSecond: 1,
})

function setup(augment: ReturnType<typeof buildRunConfig>['augment'], log: LogPoint[]) {
  const { studio, connection } = realStudioConnection()
  cleanup = () => void studio.dispose()
  const run = studio.runs.create(sampleRun)
  const training = new TrainingStore(studio.db)
  render(GanHealth, { connection, runId: run.id, log, augment })
  return { studio, training, runId: run.id }
}

describe('GAN health panel', () => {
  it('explains r_t against the ADA target and shows the current adaptive p', async () => {
    const augment = buildRunConfig('quick', 'sagan', { augment: { policy: 'diffaugment', adaptive: true } }).augment
    setup(augment, [point(10, 0.7, 0.01), point(20, 0.65, 0.025)])
    expect(screen.getByTestId('health-augment').textContent).toContain('p = 0.025')
    expect(screen.getByTestId('health-explain').textContent).toContain('near 1 it is sure of every training image')
    expect(screen.getByLabelText('D overfitting signal r_t')).toBeTruthy()
    expect(screen.getByTestId('sigma-empty')).toBeTruthy()
  })

  it('says when augmentation is off and when a run has no r_t yet', () => {
    setup(buildRunConfig('quick').augment, [point(10, null, null)])
    expect(screen.getByTestId('health-augment').textContent).toContain('Augmentation off')
    expect(screen.getByTestId('health-empty').textContent).toContain('trained before it was recorded')
  })

  it('draws a sigma chart per network from the stored log and adds points as they are logged', async () => {
    const { studio, training, runId } = setup(buildRunConfig('quick', 'sagan', { augment: { policy: 'diffaugment' } }).augment, [])
    const sigmas = [
      { layer: 'G.block0.conv1.w', sigma: 1.3 },
      { layer: 'D.linear.w', sigma: 2.1 },
    ]
    training.appendSigmas(runId, { step: 100, sigmas })
    expect(screen.getByTestId('health-augment').textContent).toContain('probability p = 1')
    studio.events.emit('spectralNormsLogged', { runId, step: 100, sigmas })
    await waitFor(() => expect(screen.getByLabelText('Spectral norm σ per layer, G (before normalisation)')).toBeTruthy())
    expect(screen.getByLabelText('Spectral norm σ per layer, D (before normalisation)')).toBeTruthy()
  })
})
