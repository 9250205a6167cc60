import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it } from 'vitest'
import type { BackendReport } from '../../../src-shared/contract'
import { realStudioConnection } from '../test/real-studio'
import NewRunView from './NewRunView.svelte'

let cleanup: (() => void) | undefined
afterEach(() => cleanup?.())

function setup(backend?: BackendReport) {
  const { studio, connection } = realStudioConnection(backend)
  cleanup = () => void studio.dispose()
  const started: string[] = []
  render(NewRunView, { connection, onstarted: (id: string) => started.push(id) })
  return { studio, started }
}

const startButton = () => screen.getByRole('button', { name: 'Start training' }) as HTMLButtonElement

describe('New run form', () => {
  it('in a browser, Browse… walks the allowed folders and checks the chosen one', async () => {
    setup()
    await fireEvent.click(screen.getByRole('button', { name: 'Browse…' }))
    await screen.findByTestId('picker-path')
    await fireEvent.click(screen.getByRole('button', { name: 'Studio resources (demo)' }))
    await fireEvent.click(await screen.findByRole('button', { name: /demo-dataset/ }))
    await fireEvent.click(await screen.findByRole('button', { name: /fashion-mnist/ }))
    await waitFor(() => expect(screen.getByTestId('picker-path').textContent).toMatch(/fashion-mnist$/))
    await fireEvent.click(screen.getByRole('button', { name: 'Use this folder' }))
    const report = await screen.findByTestId('dataset-report', {}, { timeout: 60_000 })
    expect(report.textContent).toContain('1,200')
  }, 90_000)

  it('estimates memory and time before start, and refuses a preset that cannot fit with advice', async () => {
    setup()
    const estimate = await screen.findByTestId('run-estimate', {}, { timeout: 30_000 })
    expect(estimate.textContent).toMatch(/of 4 GiB \(wasm|cpu\)|per 1000 steps/)
    await fireEvent.click(screen.getByRole('radio', { name: 'paper preset' }))
    const refusal = await screen.findByTestId('estimate-refusal', {}, { timeout: 10_000 })
    expect(refusal.textContent).toMatch(/will not fit in memory/)
    expect(startButton().disabled).toBe(true)
  }, 60_000)

  it('on a GPU the estimate names the adapter and checks the largest tensor against its buffer limit', async () => {
    setup({
      name: 'webgpu',
      skipped: [],
      adapter: {
        vendor: 'apple',
        architecture: 'metal-3',
        device: 'Apple M2',
        description: '',
        api: 'native',
        software: false,
        limits: { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 32 },
      },
    })
    const estimate = await screen.findByTestId('run-estimate', {}, { timeout: 30_000 })
    expect(estimate.textContent).toMatch(/on the GPU, largest tensor [\d.]+ MiB of 1.0 GiB per buffer\s+\(webgpu on Apple M2 \(apple, metal-3\)\)/)
  }, 60_000)

  it('shows each invalid setting next to its field and disables Start until fixed', async () => {
    setup()
    await fireEvent.input(screen.getByRole('textbox', { name: 'Dataset folder' }), { target: { value: '/data/flowers' } })
    expect(startButton().disabled).toBe(false)

    const steps = screen.getByRole('textbox', { name: 'Steps' })
    await fireEvent.input(steps, { target: { value: '0' } })
    await fireEvent.input(screen.getByRole('textbox', { name: 'Batch size' }), { target: { value: '0' } })
    expect(steps.getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText('Steps: must be at least 1')).toBeTruthy()
    expect(screen.getByText('Batch size: must be at least 1')).toBeTruthy()
    expect(startButton().disabled).toBe(true)

    await fireEvent.input(steps, { target: { value: '4' } })
    await fireEvent.input(screen.getByRole('textbox', { name: 'Batch size' }), { target: { value: '' } })
    expect(steps.getAttribute('aria-invalid')).toBeNull()
    expect(startButton().disabled).toBe(false)
  })

  it('offers every preset and tells what the paper found for the chosen ablation', async () => {
    setup()
    expect(screen.getAllByRole('radio').map((r) => (r as HTMLInputElement).value)).toEqual(['quick', 'standard', 'paper'])
    await fireEvent.click(screen.getByRole('radio', { name: 'standard preset' }))
    expect((screen.getByRole('textbox', { name: 'Steps' }) as HTMLInputElement).placeholder).toBe('20000')
    const ablation = screen.getByRole('combobox', { name: 'Ablation' }) as HTMLSelectElement
    ablation.value = 'no-attention'
    await fireEvent.change(ablation)
    expect(screen.getByText(/attention on feat32 brought it to 18.28/)).toBeTruthy()
  })

  it('a folder that does not exist gets a clear error instead of a report', async () => {
    setup()
    await fireEvent.input(screen.getByRole('textbox', { name: 'Dataset folder' }), { target: { value: '/no/such/folder-sagan' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Check dataset' }))
    const error = await screen.findByTestId('dataset-error')
    expect(error.textContent).toContain('cannot be used')
    expect(error.textContent).toContain('/no/such/folder-sagan')
  })

  it("shows the service's refusal when the run cannot start", async () => {
    const { started } = setup()
    await fireEvent.input(screen.getByRole('textbox', { name: 'Dataset folder' }), { target: { value: 'relative/images' } })
    await fireEvent.click(startButton())
    const error = await screen.findByTestId('start-error')
    expect(error.textContent).toContain('The dataset path must be absolute: relative/images')
    expect(started).toEqual([])
  })

  it('checks the built-in demo dataset in one click, again when the preset changes the image size', async () => {
    setup()
    await fireEvent.click(screen.getByRole('button', { name: 'Use the demo dataset' }))
    const report = await screen.findByTestId('dataset-report', {}, { timeout: 60_000 })
    expect(report.textContent).toContain('ready to train')
    expect(screen.getByRole('table', { name: 'Classes' }).querySelectorAll('tbody tr').length).toBe(10)
    await waitFor(() => expect((screen.getByRole('textbox', { name: 'Dataset folder' }) as HTMLInputElement).value).toBe('demo'))
    expect(report.textContent).toContain('trained at 32×32')
    // One preview grid per class, as the model will see the images.
    await waitFor(() => expect(screen.getAllByTestId('class-preview')).toHaveLength(10), { timeout: 30_000 })
    expect(screen.getByAltText('Preview of 1-Trouser at 32×32')).toBeTruthy()

    // The standard preset trains at 64 px: the report is checked again for that size.
    await fireEvent.click(screen.getByRole('radio', { name: 'standard preset' }))
    await waitFor(() => expect(screen.getByTestId('dataset-report').textContent).toContain('trained at 64×64'), { timeout: 60_000 })
  }, 120_000)
})
