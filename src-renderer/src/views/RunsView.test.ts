import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it } from 'vitest'
import { sampleRun } from '../../../src-main/testing/studio-fixture'
import { realStudioConnection } from '../test/real-studio'
import RunsView from './RunsView.svelte'

let cleanup: (() => void) | undefined
afterEach(() => cleanup?.())

function setup() {
  const { studio, connection } = realStudioConnection()
  cleanup = () => void studio.dispose()
  const opened: string[] = []
  let newClicked = 0
  render(RunsView, { connection, onopen: (id: string) => opened.push(id), onnew: () => newClicked++ })
  return { studio, opened, newClicks: () => newClicked }
}

describe('Runs view', () => {
  it('invites a first run when there is no history', async () => {
    const { newClicks } = setup()
    await screen.findByRole('heading', { name: 'No runs yet' })
    await fireEvent.click(screen.getByRole('button', { name: 'Start your first run' }))
    expect(newClicks()).toBe(1)
  })

  it('lists runs from the database and opens one on click', async () => {
    const { studio, opened } = setup()
    const run = studio.runs.create({ ...sampleRun, name: 'celebA 64px' })
    studio.service.publish(run)
    const cell = await screen.findByText('celebA 64px')
    await fireEvent.click(cell)
    expect(opened).toEqual([run.id])
    expect(screen.getByText('0 / 10')).toBeTruthy()
  })

  it('renames a run through the contract and shows the stored name', async () => {
    const { studio } = setup()
    const run = studio.runs.create({ ...sampleRun, name: 'old' })
    studio.service.publish(run)
    await fireEvent.click(await screen.findByRole('button', { name: 'Rename old' }))
    const input = screen.getByRole('textbox', { name: 'Run name' })
    await fireEvent.input(input, { target: { value: 'new name' } })
    await fireEvent.keyDown(input, { key: 'Enter' })
    await waitFor(() => expect(studio.runs.get(run.id).name).toBe('new name'))
    await screen.findByText('new name')
  })
})
