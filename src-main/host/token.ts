import { randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * A fresh secret for one host process; printed once, in the URL. Hex, not
 * base64url: a token starting with "-" would be read as flags by
 * `serve --token TOKEN` (a restart with "-v..." printed the version and exited).
 */
export function newToken(): string {
  return randomBytes(24).toString('hex')
}

/** Constant-time comparison, so the token cannot be guessed byte by byte. */
export function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}
