// The generator export's one door: write a run's generator as TF.js graph
// models with its description, and load such a folder back to sample from it.
export { type GeneratorExportInput, writeGeneratorModel } from './write-generator'
export { type ImportedGenerator, loadGeneratorModel } from './imported-generator'
export { type GeneratorMeta, META_FILE } from './generator-meta'
