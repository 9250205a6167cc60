// Hash routes: #/runs, #/new, #/run/<id>, #/export, #/about. Hash routing
// works the same from file:// (Electron) and http:// (browser host).
export type Route =
  | { view: 'runs' }
  | { view: 'new' }
  | { view: 'run'; id: string }
  | { view: 'export'; id?: string }
  | { view: 'about' }

export function parseRoute(hash: string): Route {
  const [view, id] = hash.replace(/^#\/?/, '').split(/[/?]/)
  switch (view) {
    case 'new':
      return { view: 'new' }
    case 'run':
      return id ? { view: 'run', id } : { view: 'runs' }
    case 'export':
      return { view: 'export', id: id || undefined }
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
