import type { ExtractorId } from '../../src-shared/metrics'
import type { FeatureMatrix } from './feature-matrix'
import type { ImageBatch } from './image-batch'
import type { InceptionClassProbabilities } from './inception-score'

export interface ExtractedFeatures {
  features: FeatureMatrix // [N, featureDim]
  /** The dataset class each image is assigned to; only extractors trained on the dataset's classes give it. */
  predictedClasses?: Int32Array
  /** Only the ImageNet Inception classifier gives these (for the Inception Score). */
  inceptionProbabilities?: InceptionClassProbabilities
}

/** Turns images into the feature vectors that FID and KID compare. */
export interface FeatureExtractor {
  readonly id: ExtractorId
  /** What the user should know about it, e.g. its held-out accuracy. */
  readonly detail: string
  /** Side of the images fed to the network. */
  readonly inputSize: number
  readonly featureDim: number
  /** How images of side fromSize are brought to inputSize, as stored with every metric value. */
  resize(fromSize: number): string
  /** Features of every image, computed in batches. */
  extract(images: ImageBatch): Promise<ExtractedFeatures>
  dispose(): void
}
