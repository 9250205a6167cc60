// Minimal reproductions of two tfjs 4.22 backend gradient bugs, for upstream reports
// (docs/decisions.md). Run: node --import ./scripts/tfjs-resolve-hook.mjs scripts/repro-tfjs-gradient-bugs.mjs
// Prints each backend's gradient next to the correct one; exits 1 when any differs.
import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-core/dist/register_all_gradients.js'
import '@tensorflow/tfjs-backend-cpu'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'

setWasmPaths(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + sep)

const cases = [
  {
    name: 'maxPool 2x2 VALID, all four values negative',
    expected: [0, 1, 0, 0],
    run: () => {
      const x = tf.tensor4d([-27, -9, -24, -43], [1, 2, 2, 1])
      return tf.grad((t) => tf.sum(tf.maxPool(t, 2, 2, 'valid')))(x)
    },
  },
  {
    name: 'resizeNearestNeighbor 2x2 -> 4x4, batch 2, dy = arange(32)',
    expected: [10, 18, 42, 50, 74, 82, 106, 114],
    run: () => {
      const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1])
      const dy = tf.reshape(tf.range(0, 32), [2, 4, 4, 1])
      return tf.grad((t) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t, [4, 4]), dy)))(x)
    },
  },
]

let wrong = 0
for (const backend of ['cpu', 'wasm']) {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`)
  for (const c of cases) {
    const got = Array.from(c.run().dataSync())
    const ok = got.every((v, i) => v === c.expected[i])
    if (!ok) wrong++
    console.log(`${backend.padEnd(4)} ${c.name}: dx = [${got}]  expected [${c.expected}]  ${ok ? 'ok' : 'WRONG'}`)
  }
}
process.exit(wrong ? 1 : 0)
