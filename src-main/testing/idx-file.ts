// Reads IDX files (the MNIST / Fashion-MNIST container), gzipped or not: the real dataset that
// the extractor tests and the FID benchmark use.
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'

interface IdxArray {
  shape: number[]
  data: Uint8Array
}

export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array = readFileSync(path)
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // Magic: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions.
  if (view.getUint16(0) !== 0 || bytes[2] !== 0x08) throw new Error(`${path}: not an unsigned-byte IDX file`)
  const rank = bytes[3]
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i))
  const start = 4 + 4 * rank
  const size = shape.reduce((a, b) => a * b, 1)
  if (bytes.length < start + size) throw new Error(`${path}: truncated (${bytes.length - start} of ${size} values)`)
  return { shape, data: bytes.subarray(start, start + size) }
}
