import { describe, expect, it } from 'vitest'
import { newToken, tokenBits, tokenMatches } from './token'

describe('host token', () => {
  it('is 192 random bits in hex, so it can follow --token on a command line as it is', () => {
    const tokens = Array.from({ length: 2000 }, newToken)
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{48}$/)
    expect(new Set(tokens).size).toBe(tokens.length)
  })

  it('matches only itself', () => {
    const t = newToken()
    expect(tokenMatches(t, t)).toBe(true)
    expect(tokenMatches(t, newToken())).toBe(false)
    expect(tokenMatches(t, t.slice(1))).toBe(false)
    expect(tokenMatches(t, null)).toBe(false)
  })

  it('estimates the strength of a given token from its length and alphabet', () => {
    expect(tokenBits(newToken())).toBe(192)
    expect(tokenBits('0123456789abcdef'.repeat(2))).toBe(128)
    expect(tokenBits('z'.repeat(100))).toBe(0)
    expect(tokenBits('Correct-Horse')).toBeLessThan(128)
  })
})
