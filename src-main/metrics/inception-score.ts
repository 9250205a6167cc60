/**
 * Class probabilities from the ImageNet Inception-v3 classifier. The brand makes it impossible to
 * compute an "Inception Score" from another classifier's probabilities: only the Inception
 * extractor (inception-extractor.ts) creates values of this type.
 */
export interface InceptionClassProbabilities {
  readonly source: 'inception-v3-imagenet'
  rows: number
  cols: number // 1000 or 1008 ImageNet classes
  data: Float32Array // softmax output, [rows, cols]
}

interface InceptionScoreResult {
  mean: number
  std: number
  splits: number
}

/** IS = exp(E_x KL(p(y|x) || p(y))), computed on `splits` equal parts (10 in Salimans et al.), mean and std. */
export function inceptionScore(p: InceptionClassProbabilities, splits = 10): InceptionScoreResult {
  const parts = Math.min(splits, p.rows)
  if (parts < 1) throw new Error('inception score of an empty set is undefined')
  const scores: number[] = []
  for (let s = 0; s < parts; s++) {
    const start = Math.floor((s * p.rows) / parts)
    const end = Math.floor(((s + 1) * p.rows) / parts)
    const marginal = new Float64Array(p.cols)
    for (let i = start; i < end; i++) for (let j = 0; j < p.cols; j++) marginal[j] += p.data[i * p.cols + j]
    for (let j = 0; j < p.cols; j++) marginal[j] /= end - start
    let kl = 0
    for (let i = start; i < end; i++) {
      for (let j = 0; j < p.cols; j++) {
        const q = p.data[i * p.cols + j]
        if (q > 0) kl += q * (Math.log(q) - Math.log(marginal[j]))
      }
    }
    scores.push(Math.exp(kl / (end - start)))
  }
  const mean = scores.reduce((a, b) => a + b, 0) / parts
  const std = Math.sqrt(scores.reduce((a, v) => a + (v - mean) ** 2, 0) / parts)
  return { mean, std, splits: parts }
}
