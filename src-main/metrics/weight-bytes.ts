// A self-describing byte format for named float arrays plus a JSON header, so the store can keep
// a trained extractor or cached real-image statistics as one BLOB:
//   "SGMW" | u32 LE header length | header JSON (utf-8) | each array, 8-byte aligned, little-endian
const MAGIC = 'SGMW'

type FloatArray = Float32Array | Float64Array

interface ArrayEntry {
  name: string
  shape: number[]
  dtype: 'float32' | 'float64'
  offset: number // bytes from the start of the file
}

interface NamedArrays {
  arrays: Record<string, FloatArray>
  shapes: Record<string, number[]>
}

const align8 = (n: number) => Math.ceil(n / 8) * 8

export function encodeWeightBytes(header: object, { arrays, shapes }: NamedArrays): Uint8Array {
  const names = Object.keys(arrays)
  // Offsets depend on the header length, which depends on the offsets: lay out after a sized placeholder.
  const entries: ArrayEntry[] = names.map((name) => ({
    name,
    shape: shapes[name],
    dtype: arrays[name] instanceof Float64Array ? 'float64' : 'float32',
    offset: 0,
  }))
  const placeholder = JSON.stringify({ header, entries: entries.map((e) => ({ ...e, offset: 1e12 })) })
  let cursor = align8(8 + new TextEncoder().encode(placeholder).length)
  for (const e of entries) {
    e.offset = cursor
    cursor = align8(cursor + arrays[e.name].byteLength)
  }
  const json = new TextEncoder().encode(JSON.stringify({ header, entries }))
  const out = new Uint8Array(cursor)
  out.set(new TextEncoder().encode(MAGIC), 0)
  new DataView(out.buffer).setUint32(4, json.length, true)
  out.set(json, 8)
  for (const e of entries) out.set(new Uint8Array(arrays[e.name].buffer, arrays[e.name].byteOffset, arrays[e.name].byteLength), e.offset)
  return out
}

export function decodeWeightBytes<H>(bytes: Uint8Array, what: string): NamedArrays & { header: H } {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new Error(`${what}: not a SAGAN Studio weight file (bad magic)`)
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true)
  const { header, entries } = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as { header: H; entries: ArrayEntry[] }
  // Copy into an aligned buffer: a BLOB read from SQLite may start at any byte offset.
  const buffer = bytes.slice().buffer
  const arrays: Record<string, FloatArray> = {}
  const shapes: Record<string, number[]> = {}
  for (const e of entries) {
    const size = e.shape.reduce((a, b) => a * b, 1)
    const Ctor = e.dtype === 'float64' ? Float64Array : Float32Array
    if (e.offset + size * Ctor.BYTES_PER_ELEMENT > buffer.byteLength) throw new Error(`${what}: truncated at array "${e.name}"`)
    arrays[e.name] = new Ctor(buffer, e.offset, size)
    shapes[e.name] = e.shape
  }
  return { header, arrays, shapes }
}
