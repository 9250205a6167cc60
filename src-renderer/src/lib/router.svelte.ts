// Hash routes: #/runs, #/new, #/run/<id>, #/compare/<id>,<id>, #/export, #/about. Hash routing
// works the same from file:// (Electron) and http:// (browser host).
export type Route =
  { view: 'runs' } | { view: 'new' } | { view: 'run'; id: string } | { view: 'export'; id?: string } | { view: 'about' } | { view: 'compare'; ids: string[] }

export function parseRoute(hash: string): Route {
  const [view, id] = hash.replace(/^#\/?/, '').split(/[/?]/)
  switch (view) {
    case 'new':
      return { view: 'new' }
    case 'run':
      return id ? { view: 'run', id } : { view: 'runs' }
    case 'export':
      return { view: 'export', id: id || undefined }
    case 'compare': {
      const ids = (id ?? '').split(',').filter(Boolean)
      return ids.length > 0 ? { view: 'compare', ids } : { view: 'runs' }
    }
    case 'about':
      return { view: 'about' }
    default:
      return { view: 'runs' }
  }
}

export class Router {
  route = $state<Route>(parseRoute(location.hash))

  constructor() {
    addEventListener('hashchange', () => (this.route = parseRoute(location.hash)))
  }

  go(path: string): void {
    location.hash = `#/${path}`
  }
}
