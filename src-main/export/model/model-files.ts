// A TF.js graph model on disk: model.json (format "graph-model", the GraphDef
// as JSON, the signature, the weights manifest) and its binary weight shards,
// laid out as tensorflowjs_converter does, so tf.loadGraphModel(url) reads it
// from any web server and loadGraphModel(graphModelFolder(dir)) from disk
// (engine/graph-model-folder.ts).
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { MODEL_JSON } from '../../engine/graph-model-folder'
import type { GraphModelParts } from './graph-builder'

// tensorflowjs_converter's default shard size: small enough for any HTTP cache.
const SHARD_BYTES = 4 * 1024 * 1024

/** Writes model.json and group1-shardKofN.bin into dir; returns the file names written (relative to dir). */
export async function writeGraphModel(dir: string, parts: GraphModelParts, generatedBy: string): Promise<string[]> {
  const bytes = weightBytes(parts)
  const count = Math.max(1, Math.ceil(bytes.length / SHARD_BYTES))
  const shards = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`)
  const modelJson: tf.io.ModelJSON = {
    format: 'graph-model',
    generatedBy,
    convertedBy: null,
    modelTopology: parts.modelTopology,
    signature: parts.signature,
    weightsManifest: [{ paths: shards, weights: parts.weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  }
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, MODEL_JSON), JSON.stringify(modelJson))
  for (const [i, shard] of shards.entries()) await writeFile(join(dir, shard), bytes.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES))
  return [MODEL_JSON, ...shards]
}

/** Every weight's values, little-endian, in manifest order (float32 and int32 are both 4 bytes). */
function weightBytes(parts: GraphModelParts): Uint8Array {
  const total = parts.weights.reduce((n, w) => n + w.data.byteLength, 0)
  const out = new Uint8Array(total)
  let offset = 0
  for (const w of parts.weights) {
    out.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), offset)
    offset += w.data.byteLength
  }
  return out
}
