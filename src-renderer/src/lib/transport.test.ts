import { describe, expect, it } from 'vitest'
import { pickTransport, tokenFromLocation } from './transport'

const at = (href: string) => new URL(href) as unknown as Location

describe('transport picker', () => {
  it('reads the host token from the URL fragment, or the query as a fallback', () => {
    expect(tokenFromLocation(at('http://127.0.0.1:4780/#token=abc'))).toBe('abc')
    expect(tokenFromLocation(at('http://127.0.0.1:4780/?token=q1#/runs'))).toBe('q1')
    expect(tokenFromLocation(at('http://127.0.0.1:4780/#/runs'))).toBeNull()
  })

  it('uses the WebSocket when no Electron pipe was exposed, and the pipe when it was', () => {
    expect(pickTransport(at('http://127.0.0.1:4780/#token=abc')).kind).toBe('websocket')
    ;(globalThis as Record<string, unknown>).studioPipe = { post: () => undefined, on: () => undefined }
    try {
      expect(pickTransport(at('file:///app/index.html')).kind).toBe('electron')
    } finally {
      delete (globalThis as Record<string, unknown>).studioPipe
    }
  })
})
