// Turns the ways a file can fail into report lines a user can act on.

import type { SkippedFile, SkipReason } from '../../src-shared/dataset'

const FS_REASONS: Record<string, { reason: SkipReason; message: string }> = {
  EACCES: { reason: 'permission-denied', message: 'Permission denied: the studio may not read this. Change its permissions to include it.' },
  EPERM: { reason: 'permission-denied', message: 'Permission denied: the studio may not read this. Change its permissions to include it.' },
  ENOENT: {
    reason: 'vanished',
    message: 'The file disappeared while the folder was being read. Check the dataset again once the folder has stopped changing.',
  },
  ELOOP: { reason: 'symlink-loop', message: 'Too many levels of symbolic links; it was not followed.' },
}

/** A file-system error on `rel` as a report line; unknown errors count as unreadable with the system's message. */
export function skipFromFsError(rel: string, err: unknown): SkippedFile {
  const known = FS_REASONS[(err as NodeJS.ErrnoException).code ?? '']
  if (known) return { path: rel, ...known }
  return { path: rel, reason: 'unreadable', message: `Could not be read: ${(err as Error).message}` }
}

/** A decoder (sharp/libvips) error as a report line. */
export function skipFromDecodeError(rel: string, err: unknown): SkippedFile {
  const text = (err as Error).message ?? String(err)
  if (/pixel limit/i.test(text)) {
    return {
      path: rel,
      reason: 'too-many-pixels',
      message: 'The image has more pixels than the limit (possible decompression bomb). Raise the pixel limit to include it.',
    }
  }
  if (/unsupported image format/i.test(text)) {
    return { path: rel, reason: 'not-an-image', message: 'The name says image, but the content is not an image the decoder recognises.' }
  }
  return { path: rel, reason: 'unreadable', message: `The image is truncated or corrupt: ${text.split('\n')[0]}` }
}
