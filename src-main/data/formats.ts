// Which files are images: by name for the scan, by content before decoding.

/** Extensions the scan treats as images (lower case). BMP is listed so that it is reported, not silently ignored. */
const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'jpe', 'jfif', 'webp', 'gif', 'tif', 'tiff', 'bmp', 'dib'])

export function hasImageExtension(rel: string): boolean {
  const dot = rel.lastIndexOf('.')
  return dot > rel.lastIndexOf('/') && IMAGE_EXTENSIONS.has(rel.slice(dot + 1).toLowerCase())
}

type SniffedFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'tiff' | 'bmp'

/** Formats sharp decodes here (sharp 0.35's libvips has no BMP loader). */
export const DECODABLE_FORMATS: ReadonlySet<SniffedFormat> = new Set(['png', 'jpeg', 'gif', 'webp', 'tiff'])

const startsWith = (bytes: Uint8Array, sig: number[], at = 0): boolean => bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b)

/** The image format from the first bytes, or null when the content is no image format we know. */
export function sniffFormat(bytes: Uint8Array): SniffedFormat | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'png'
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'gif'
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp'
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff'
  if (startsWith(bytes, [0x42, 0x4d])) return 'bmp'
  return null
}
