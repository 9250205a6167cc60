// The data layer: a local image folder -> a validated, decoded, cached dataset
// and the batches drawn from it.

export { checkDataset, loadDataset, type ReadOptions } from './load'
export { formatReportText } from './report-text'
export type { LoadedDataset } from './loaded'
export { renderPreviewGrid, type PreviewOptions } from './preview'
export { createSampler, type Sampler, type SamplerOptions, type SamplerState } from './sampler'
export { gatherBatch } from './batch'
