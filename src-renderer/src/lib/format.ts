export { formatDuration } from '../../../src-shared/format'

export function formatDate(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
