// A typed fan-out of contract events: the service emits, every connected
// transport subscribes. Knows nothing of how events travel.
// `any` here is what lets a plain interface (no index signature) satisfy the map.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EventMap<E> = { [K in keyof E]: (...args: any[]) => void }

export type EventListener<E extends EventMap<E>> = <K extends keyof E & string>(name: K, args: Parameters<E[K]>) => void

export class EventHub<E extends EventMap<E>> {
  private readonly listeners = new Set<EventListener<E>>()

  emit<K extends keyof E & string>(name: K, ...args: Parameters<E[K]>): void {
    for (const listener of this.listeners) listener(name, args)
  }

  subscribe(listener: EventListener<E>): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get size(): number {
    return this.listeners.size
  }
}
