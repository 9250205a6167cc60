// `fid --real DIR --fake DIR`: FID, KID and (for class folders) intra-FID
// between two image folders, with the built-in dataset-classifier features
// trained on the real folder. Every value printed says how it was computed.
import { join } from 'node:path'
import type { CheckpointEvaluation } from '../../src-shared/contract'
import { metricLabel } from '../../src-shared/metrics'
import { loadDataset } from '../data'
import { initBackend } from '../engine/backend'
import { DatasetClassifier, buildRealReference, evaluate, loadInceptionExtractor, type FeatureExtractor } from '../metrics'

/** What `fid` prints for two folders; a run's checkpoint evaluation adds its step. */
export type FolderFidResult = Omit<CheckpointEvaluation, 'step'>

/**
 * With `inceptionDir` (a local Inception-v3 TF.js graph model) the features are
 * the standard pool3 ones and the numbers are comparable to published FIDs.
 */
export async function folderFid(realDir: string, fakeDir: string, imageSize: number, dataDir: string, inceptionDir?: string): Promise<FolderFidResult> {
  await initBackend('auto')
  const cacheDir = join(dataDir, 'cache')
  const real = await loadDataset(realDir, { imageSize }, { cacheDir })
  const fake = await loadDataset(fakeDir, { imageSize }, { cacheDir })
  if (real.channels !== fake.channels) {
    throw new Error(
      `${realDir} is ${real.channels === 1 ? 'grey' : 'colour'} but ${fakeDir} is ${fake.channels === 1 ? 'grey' : 'colour'}; compare folders of the same kind`,
    )
  }
  const numClasses = real.report.conditional ? real.classNames.length : 1
  // Generated folders are compared class by class only when their class names match.
  const sameClasses = fake.classNames.join('\n') === real.classNames.join('\n') && numClasses >= 2
  const extractor: FeatureExtractor = inceptionDir ? await loadInceptionExtractor(inceptionDir) : await DatasetClassifier.train({ ...real, numClasses })
  try {
    const reference = await buildRealReference(extractor, { ...real, numClasses })
    const result = await evaluate({ step: 0, extractor, real: reference, fake: { ...fake, labels: sameClasses ? fake.labels : undefined } })
    return { values: result.values, warnings: result.warnings, extractorDetail: extractor.detail }
  } finally {
    extractor.dispose()
  }
}

export function formatFid(r: FolderFidResult): string {
  const main = r.values.filter((v) => v.name !== 'class_fid')
  return [
    ...main.map(
      (v) =>
        `${metricLabel(v)}: ${v.value.toFixed(4)}${v.std === undefined ? '' : ` ± ${v.std.toFixed(4)}`}  (${v.nReal} real, ${v.nFake} generated, ${v.imageSize}px, ${v.resize})`,
    ),
    `features: ${r.extractorDetail}`,
    ...r.warnings.map((w) => `warning: ${w}`),
  ].join('\n')
}
