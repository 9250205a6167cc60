// A TF.js graph model in a local folder (model.json + weight shards) as an
// IOHandler: loadGraphModel(graphModelFolder(dir)) reads it from disk with no
// fetch or URL. Used for exported generators and the optional Inception model.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'

export const MODEL_JSON = 'model.json'

/** Loads model.json and its weight shards from a local folder (no fetch, no URL). */
export function graphModelFolder(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const path = join(dir, MODEL_JSON)
      const modelJson = JSON.parse(await readFile(path, 'utf8')) as tf.io.ModelJSON
      if (modelJson.format !== 'graph-model') throw new Error(`${path} is not a TF.js graph model (format "${modelJson.format}")`)
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers: ArrayBuffer[] = []
        for (const group of manifest) {
          for (const shard of group.paths) {
            const bytes = await readFile(join(dir, shard))
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
          }
        }
        return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)]
      })
    },
  }
}
