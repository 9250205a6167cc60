/**
 * Share of generated images that a classifier trained on the real data assigns to the class they
 * were conditioned on. Chance level is 1 / number of classes.
 */
export function classAgreement(predicted: ArrayLike<number>, conditioned: ArrayLike<number>): number {
  if (predicted.length !== conditioned.length) {
    throw new Error(`class agreement needs one prediction per generated image, got ${predicted.length} and ${conditioned.length}`)
  }
  if (predicted.length === 0) throw new Error('class agreement of an empty set is undefined')
  let agree = 0
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === conditioned[i]) agree++
  return agree / predicted.length
}

/** Index of the largest value in each row of [rows, cols] scores. */
export function argmaxRows(scores: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows)
  for (let i = 0; i < rows; i++) {
    let best = 0
    for (let j = 1; j < cols; j++) if (scores[i * cols + j] > scores[i * cols + best]) best = j
    out[i] = best
  }
  return out
}
