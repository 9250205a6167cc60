// One live connection to the studio, reconnecting by itself when the host
// restarts. Views call `api.*` and subscribe to events; they never see the
// transport.
import { CALL_NAMES, EVENT_NAMES, type StudioCalls, type StudioEvents } from '../../../src-shared/contract'
import { connectStudio, type StudioClient } from '../../../src-shared/rpc-client'
import type { Transport } from './transport'

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting'

type EventHandlers = Partial<StudioEvents>

export class Connection {
  status = $state<ConnectionStatus>('connecting')
  /** Bumps on every (re)connect so views reload what they show. */
  generation = $state(0)
  readonly api: StudioCalls

  private client?: StudioClient
  private waiting: (() => void)[] = []
  // Subscribers, not state: nothing renders from this set.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly handlers = new Set<EventHandlers>()
  private retryMs = 250

  constructor(private readonly transport: Transport) {
    const api = {} as Record<string, unknown>
    for (const name of CALL_NAMES) {
      api[name] = async (...args: unknown[]) => {
        const client = await this.ready()
        return (client[name] as (...a: unknown[]) => Promise<unknown>)(...args)
      }
    }
    this.api = api as unknown as StudioCalls
    void this.connect()
  }

  get kind(): Transport['kind'] {
    return this.transport.kind
  }

  /** Subscribes to pushed events; returns the unsubscribe function. */
  on(handlers: EventHandlers): () => void {
    this.handlers.add(handlers)
    return () => this.handlers.delete(handlers)
  }

  private ready(): Promise<StudioClient> {
    if (this.client) return Promise.resolve(this.client)
    return new Promise((resolve) => this.waiting.push(() => resolve(this.client!)))
  }

  private dispatch<K extends keyof StudioEvents>(name: K, args: Parameters<StudioEvents[K]>): void {
    for (const h of this.handlers) (h[name] as ((...a: unknown[]) => void) | undefined)?.(...args)
  }

  private async connect(): Promise<void> {
    try {
      const channel = await this.transport.open(() => this.lost())
      const events = Object.fromEntries(EVENT_NAMES.map((name) => [name, (...args: unknown[]) => this.dispatch(name, args as never)])) as Partial<StudioEvents>
      this.client = connectStudio(channel, events)
      this.retryMs = 250
      this.status = 'connected'
      this.generation++
      this.waiting.splice(0).forEach((wake) => wake())
    } catch {
      this.lost()
    }
  }

  private lost(): void {
    this.client?.close()
    this.client = undefined
    this.status = 'reconnecting'
    setTimeout(() => void this.connect(), this.retryMs)
    this.retryMs = Math.min(this.retryMs * 2, 4000)
  }
}
