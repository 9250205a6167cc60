// worker_threads entry (built to out/main/evaluation-worker.js): trains or
// restores the dataset-classifier extractor, builds the real-image reference,
// then answers 'evaluate' messages with labelled metric values.
import { parentPort } from 'node:worker_threads'
import { initBackend } from '../../engine/backend'
import type { DatasetClassifier } from '../dataset-classifier'
import { prepareDatasetExtractor } from '../dataset-extractor'
import { evaluate } from '../evaluate'
import type { RealReference } from '../real-reference'
import type { EvaluatorToMain, MainToEvaluator } from './messages'

if (!parentPort) throw new Error('evaluation-worker.ts must run inside a worker_threads Worker')
const port = parentPort
const post = (m: EvaluatorToMain) => port.postMessage(m)

let extractor: DatasetClassifier | null = null
let reference: RealReference | null = null
let numClasses = 0
let imageSize = 0
let channels: 1 | 3 = 3

async function handle(m: MainToEvaluator): Promise<void> {
  if (m.type === 'prepare') {
    const started = performance.now()
    await initBackend(m.backend)
    numClasses = m.real.numClasses
    imageSize = m.real.imageSize
    channels = m.real.channels
    const prepared = await prepareDatasetExtractor(m.real, m.cached)
    extractor = prepared.extractor
    reference = prepared.reference
    const built = prepared.built
    post({ type: 'prepared', extractorDetail: extractor.detail, seconds: (performance.now() - started) / 1000, built })
    return
  }
  if (!extractor || !reference) throw new Error('evaluate before prepare')
  const started = performance.now()
  const result = await evaluate({
    step: m.step,
    extractor,
    real: reference,
    fake: { images: m.images, imageSize, channels, labels: numClasses >= 2 ? m.labels : undefined },
  })
  post({ type: 'metrics', step: m.step, values: result.values, warnings: result.warnings, seconds: (performance.now() - started) / 1000 })
}

// One message at a time: evaluations queue behind preparation.
let queue = Promise.resolve()
port.on('message', (m: MainToEvaluator) => {
  queue = queue.then(() => handle(m)).catch((err: unknown) => {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err), step: m.type === 'evaluate' ? m.step : undefined })
  })
})
