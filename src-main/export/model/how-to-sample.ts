// HOW-TO-SAMPLE.md: the short text a person reads to use an exported
// generator in their own TF.js code, filled in with this generator's numbers.
import { PIXEL_MAPPING } from '../../engine/pixels'
import type { GeneratorMeta } from './generator-meta'

export const HOW_TO_FILE = 'HOW-TO-SAMPLE.md'

export function howToSample(meta: GeneratorMeta): string {
  const { imageSize: s, channels: c, zDim, classes } = meta
  const model = meta.models[meta.weights.includes('ema') ? 'ema' : 'raw']
  const labels =
    classes.length > 0
      ? `class indices 0..${classes.length - 1} in the order of "classes" in sagan-generator.json (${classes.slice(0, 4).join(', ')}${classes.length > 4 ? ', ...' : ''})`
      : 'ignored: this generator is unconditional (pass zeros)'
  return `# Sampling the generator of "${meta.runName}" (step ${meta.step})

Each \`generator-*/\` folder is a TensorFlow.js graph model (\`model.json\` + weight shards).
${meta.weights.includes('ema') ? '`generator-ema` holds the moving-average weights (usually the better images); `generator-raw` the trained weights.' : '`generator-raw` holds the trained weights (this run kept no moving average).'}
Spectral norm and batch norm (running statistics) are baked in: the graph is the studio's evaluation pass.

- Input \`z\`: float32 [N, ${zDim}], drawn from a standard normal N(0, I).
- Input \`label\`: int32 [N], ${labels}.
- Output \`images\`: float32 [N, ${s}, ${s}, ${c}] in [-1, 1]; the studio's bytes are ${PIXEL_MAPPING}.

## In a browser or Node (tfjs 4.x)

\`\`\`js
import * as tf from '@tensorflow/tfjs' // Node: @tensorflow/tfjs-node, then tf.loadGraphModel('file://.../model.json')
const model = await tf.loadGraphModel('${model}') // a URL this folder is served at
const n = 8
const z = tf.randomNormal([n, ${zDim}])
const label = tf.tensor1d(Array.from({ length: n }, (_, i) => i % ${Math.max(1, classes.length)}), 'int32')
const images = model.execute({ z, label }, 'images') // [n, ${s}, ${s}, ${c}] in [-1, 1]
const pixels = tf.tidy(() => tf.cast(tf.round(tf.clipByValue(tf.mul(tf.add(images, 1), 127.5), 0, 255)), 'int32'))
const bytes = Uint8Array.from(await pixels.data()) // row-major [n, ${s}, ${s}, ${c}]
tf.dispose([z, label, images, pixels])
\`\`\`

## Sample sheets without the run

\`\`\`sh
sagan-studio export --from-model <this folder> --out sheet.png [--classes ...] [--per-class N] [--seed S]
\`\`\`
`
}
