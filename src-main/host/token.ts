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

/**
 * A given token's strength, estimated as length x log2(alphabet), the alphabet
 * being the character classes it uses (hex digits count as 16). A repeated
 * character counts as one: "aaaa..." is not a secret however long.
 */
export function tokenBits(token: string): number {
  if (new Set(token).size < 8) return 0
  let alphabet = 0
  if (/^[0-9a-f]+$/.test(token) || /^[0-9A-F]+$/.test(token)) alphabet = 16
  else {
    if (/[0-9]/.test(token)) alphabet += 10
    if (/[a-z]/.test(token)) alphabet += 26
    if (/[A-Z]/.test(token)) alphabet += 26
    if (/[^0-9a-zA-Z]/.test(token)) alphabet += 32
  }
  return token.length * Math.log2(alphabet)
}
