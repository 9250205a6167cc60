// The built-in extractor and its real-image reference for one dataset, from
// cached bytes when there are some, trained and built otherwise. Whatever was
// newly made comes back as bytes so the caller can cache it.
import { DatasetClassifier, type LabelledImages } from './dataset-classifier'
import { buildRealReference, restoreRealReference, serializeRealReference, type RealReference } from './real-reference'

interface CachedExtractorBytes {
  classifier?: Uint8Array
  reference?: Uint8Array
}

interface PreparedExtractor {
  extractor: DatasetClassifier
  reference: RealReference
  /** Bytes of what was newly trained or built (absent when it came from the cache). */
  built: CachedExtractorBytes
}

export async function prepareDatasetExtractor(real: LabelledImages, cached: CachedExtractorBytes): Promise<PreparedExtractor> {
  const built: CachedExtractorBytes = {}
  const extractor = cached.classifier ? DatasetClassifier.restore(cached.classifier) : await DatasetClassifier.train(real)
  if (!cached.classifier) built.classifier = extractor.serialize()
  // A reference only matches the classifier it was built with.
  const reuse = cached.classifier && cached.reference
  const reference = reuse ? restoreRealReference(cached.reference!) : await buildRealReference(extractor, real)
  if (!reuse) built.reference = serializeRealReference(reference)
  return { extractor, reference, built }
}
