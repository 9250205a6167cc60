import { describe, expect, it } from 'vitest'
import { parseRoute } from './router.svelte'

describe('hash routes', () => {
  it.each([
    ['', { view: 'runs' }],
    ['#/runs', { view: 'runs' }],
    ['#/new', { view: 'new' }],
    ['#/run/abc123def456', { view: 'run', id: 'abc123def456' }],
    ['#/run/', { view: 'runs' }],
    ['#/export/abc123def456', { view: 'export', id: 'abc123def456' }],
    ['#/about', { view: 'about' }],
    ['#/compare/abc123def456,fff000aaa111', { view: 'compare', ids: ['abc123def456', 'fff000aaa111'] }],
    ['#/compare/', { view: 'runs' }],
    ['#token=secret', { view: 'runs' }],
    ['#/nonsense', { view: 'runs' }],
  ])('%s opens %o', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route)
  })
})
