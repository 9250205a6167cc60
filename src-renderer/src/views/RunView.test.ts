import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it } from 'vitest'
import { TrainingStore } from '../../../src-main/store/training-store'
import { sampleRun } from '../../../src-main/testing/studio-fixture'
import { PAUSED_BY_USER, type RunStatus, type StatusReason } from '../../../src-shared/runs'
import '../test/canvas-stub'
import { realStudioConnection } from '../test/real-studio'
import RunView from './RunView.svelte'

let cleanup: (() => void) | undefined
afterEach(() => cleanup?.())

// Any bytes do: the sheet is shown as an <img>, which happy-dom does not decode.
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47])

function setup(status: RunStatus = 'running', reason: StatusReason | null = null) {
  const { studio, connection } = realStudioConnection()
  cleanup = () => void studio.dispose()
  const created = studio.runs.create({ ...sampleRun, name: 'fashion quick', config: { steps: 10, sampleEvery: 50, ema: { enabled: true } } })
  studio.runs.setStatus(created.id, status, reason)
  const training = new TrainingStore(studio.db)
  render(RunView, { connection, id: created.id })
  return { studio, training, id: created.id }
}

const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement
const enabled = () => ['Pause', 'Resume', 'Stop'].filter((name) => !button(name).disabled)

describe('Run view', () => {
  it('saves the notes typed for a run when the field is left, and keeps them across live updates', async () => {
    const { studio, id } = setup('paused', PAUSED_BY_USER)
    const field = (await screen.findByRole('textbox', { name: 'Run notes' })) as HTMLTextAreaElement
    await fireEvent.input(field, { target: { value: 'attention at 16 too?' } })
    studio.service.publish(studio.runs.setStatus(id, 'paused', PAUSED_BY_USER))
    await fireEvent.blur(field)
    await waitFor(() => expect(studio.runs.get(id).notes).toBe('attention at 16 too?'))
    expect(field.value).toBe('attention at 16 too?')
  })

  it('a paused run offers Resume and Stop; Stop marks it stopped, which can still be resumed', async () => {
    setup('paused', PAUSED_BY_USER)
    await waitFor(() => expect(screen.getByTestId('run-status').textContent).toBe('paused'))
    expect(enabled()).toEqual(['Resume', 'Stop'])
    await fireEvent.click(button('Stop'))
    await waitFor(() => expect(screen.getByTestId('run-status').textContent).toBe('stopped'))
    await waitFor(() => expect(enabled()).toEqual(['Resume']))
  })

  it('a running run can be paused or stopped; a completed one offers nothing', async () => {
    const { studio, id } = setup('running')
    await waitFor(() => expect(enabled()).toEqual(['Pause', 'Stop']))
    studio.service.publish(studio.runs.setStatus(id, 'completed'))
    await waitFor(() => expect(screen.getByTestId('run-status').textContent).toBe('completed'))
    expect(enabled()).toEqual([])
  })

  it('a completed run can train more steps past its target', async () => {
    const { studio, id } = setup('completed')
    studio.runs.updateProgress(id, { step: 10 })
    studio.service.publish(studio.runs.get(id))
    const extra = await screen.findByRole('spinbutton', { name: 'Extra steps' })
    expect(enabled()).toEqual([])
    await fireEvent.input(extra, { target: { value: '0' } })
    expect(button('Train more').disabled).toBe(true)
    await fireEvent.input(extra, { target: { value: '5' } })
    await fireEvent.click(button('Train more'))
    // The new target is stored before the (missing) dataset folder stops the restart.
    await screen.findByTestId('action-error')
    expect(studio.runs.get(id).targetSteps).toBe(15)
  })

  it('a run paused by NaN says what happened and what to do, in place', async () => {
    setup('paused', {
      code: 'non-finite',
      text: 'Paused: D loss became NaN or infinite at step 7; the last good state was kept. Try a lower learning rate, then resume.',
    })
    const advice = await screen.findByTestId('run-advice')
    expect(advice.textContent).toContain('Try a lower learning rate, then resume.')
    expect(enabled()).toEqual(['Resume', 'Stop'])
  })

  it("an interrupted run can be resumed, and the service's refusal is shown in place", async () => {
    setup('interrupted')
    expect((await screen.findByTestId('run-advice')).textContent).toContain('Resume continues from its last checkpoint')
    await fireEvent.click(button('Resume'))
    // sampleRun's dataset folder does not exist, so the service refuses to load it.
    expect((await screen.findByTestId('action-error')).textContent).toContain('/tmp/demo')
  })

  it('the header says how the run augments; a stored config without the setting reads as off', async () => {
    setup('paused', PAUSED_BY_USER)
    await waitFor(() => expect(screen.getByTestId('run-augment').textContent).toBe('off'))
    expect(screen.getByRole('heading', { name: 'GAN health' })).toBeTruthy()
  })

  it('live progress events move the step, speed and backend without reloading', async () => {
    const { studio, id } = setup('running')
    await screen.findByText('Loss and attention curves appear with the first training step.')
    studio.events.emit('runProgress', {
      runId: id,
      step: 3,
      targetStep: 10,
      dLossReal: 0.9,
      dLossFake: 0.8,
      gLoss: 1.2,
      gammas: [{ layer: 'g32', value: 0.01 }],
      realSign: 0.4,
      augmentP: null,
      imagesPerSecond: 12.5,
      etaSeconds: 42,
      backend: 'wasm',
    })
    await waitFor(() => expect(screen.getByTestId('run-step').textContent).toBe('3 / 10'))
    expect(screen.getByTestId('run-speed').textContent).toBe('12.5')
    expect(screen.getByTestId('run-backend').textContent).toBe('wasm')
    expect(screen.getByRole('figure', { name: 'Losses (hinge)' })).toBeTruthy()
    expect(screen.getByRole('figure', { name: /Attention γ/ })).toBeTruthy()
  })

  it('the gallery waits for the first sheet, follows new ones, and stays where the user scrubbed', async () => {
    const { studio, training, id } = setup('running')
    expect((await screen.findByTestId('gallery-empty')).textContent).toContain('The first sheet is saved at step 50')
    const save = (step: number) => {
      training.saveSamples(id, step, 'ema', PNG, 8)
      studio.events.emit('samplesSaved', { runId: id, step, weights: 'ema' })
    }
    save(50)
    await waitFor(() => expect(screen.getByTestId('sheet-step').textContent).toBe('50'))
    expect((await screen.findByTestId('sample-sheet')).getAttribute('src')).toMatch(/^blob:/)
    save(100)
    await waitFor(() => expect(screen.getByTestId('sheet-step').textContent).toBe('100'))
    await fireEvent.input(screen.getByRole('slider'), { target: { value: '0' } })
    await waitFor(() => expect(screen.getByRole('img', { name: /Generated samples at step 50/ })).toBeTruthy())
    save(150)
    await waitFor(() => expect(screen.getByText('1 / 3')).toBeTruthy())
    expect(screen.getByTestId('sheet-step').textContent).toBe('50')

    await fireEvent.click(screen.getByRole('radio', { name: 'Raw' }))
    expect((await screen.findByTestId('gallery-empty')).textContent).toContain('This run saved 3 with EMA weights')
  })
})
