// Keys the lead stores a trained extractor's and a real reference's bytes under. Their own
// module, free of TensorFlow.js, because the main process builds them and must not load tfjs.

/** Bumped when the dataset classifier's architecture or bytes change: old caches retrain. */
export const DATASET_CLASSIFIER_VERSION = 2

/** For DatasetClassifier.serialize()'s bytes. */
export function datasetClassifierCacheKey(datasetFingerprint: string, imageSize: number): string {
  return `dataset-classifier/v${DATASET_CLASSIFIER_VERSION}/${datasetFingerprint}/${imageSize}`
}

/** For serializeRealReference()'s bytes. */
export function realReferenceCacheKey(datasetFingerprint: string, extractorKey: string, imageSize: number): string {
  return `real-reference/v1/${datasetFingerprint}/${extractorKey}/${imageSize}`
}
