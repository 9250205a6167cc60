import { fireEvent, render, screen } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import ClassOrder from './ClassOrder.svelte'

const names = ['T-shirt', 'Trouser', 'Bag']
const rows = () => screen.getAllByRole('listitem').map((li) => li.querySelector('.name')!.textContent)

describe('class order picker', () => {
  it('removes, moves and adds class rows, and goes back to all classes in order', async () => {
    const props = $state({ classNames: names, selected: null as number[] | null })
    render(ClassOrder, { props })
    expect(rows()).toEqual(names)
    await fireEvent.click(screen.getByRole('button', { name: 'Remove T-shirt' }))
    expect(props.selected).toEqual([1, 2])
    await fireEvent.click(screen.getByRole('button', { name: 'Move Bag up' }))
    expect(props.selected).toEqual([2, 1])
    expect(rows()).toEqual(['Bag', 'Trouser'])
    await fireEvent.change(screen.getByRole('combobox', { name: 'Add a class' }), { target: { value: '0' } })
    expect(props.selected).toEqual([2, 1, 0])
    expect(screen.queryByRole('combobox', { name: 'Add a class' })).toBeNull()
    await fireEvent.click(screen.getByRole('button', { name: 'All, in order' }))
    expect(props.selected).toBeNull()
  })
})
