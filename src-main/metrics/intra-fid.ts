import type { FeatureMatrix } from './feature-matrix'
import { fidFromStats } from './fid'
import { gaussianStats, type GaussianStats } from './gaussian'

interface ClassFid {
  classIndex: number
  fid: number
  nReal: number
  nFake: number
  warnings: string[]
}

export interface IntraFidResult {
  perClass: ClassFid[]
  mean: number // mean over the classes in perClass; NaN when none could be computed
  warnings: string[] // classes left out, and why
}

/**
 * Intra-FID (Miyato & Koyama 2018): FID between the real and generated images of each class, then
 * the mean over classes. realByClass[c] are cached statistics, fakeByClass[c] the features of
 * images generated for class c.
 */
export function intraFid(realByClass: readonly GaussianStats[], fakeByClass: readonly FeatureMatrix[]): IntraFidResult {
  if (realByClass.length !== fakeByClass.length) {
    throw new Error(`intra-FID needs one real and one generated set per class, got ${realByClass.length} and ${fakeByClass.length}`)
  }
  const perClass: ClassFid[] = []
  const warnings: string[] = []
  realByClass.forEach((real, c) => {
    const fake = fakeByClass[c]
    if (real.n < 2 || fake.rows < 2) {
      warnings.push(`class ${c} left out of intra-FID: ${real.n} real and ${fake.rows} generated samples (needs 2 of each)`)
      return
    }
    const { fid, warnings: w } = fidFromStats(real, gaussianStats(fake))
    perClass.push({ classIndex: c, fid, nReal: real.n, nFake: fake.rows, warnings: w })
  })
  const mean = perClass.length ? perClass.reduce((a, c) => a + c.fid, 0) / perClass.length : Number.NaN
  return { perClass, mean, warnings }
}
