/** Feature vectors of N images, row-major: data[i * cols + j] is feature j of image i. */
export interface FeatureMatrix {
  rows: number
  cols: number
  data: Float32Array | Float64Array
}

/** The rows whose index is listed, in that order (a subset of images). */
export function selectRows(m: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const out = new Float64Array(indices.length * m.cols)
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]
    out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), k * m.cols)
  }
  return { rows: indices.length, cols: m.cols, data: out }
}

/** Rows grouped by their class label: result[c] holds the rows labelled c. */
export function rowsByClass(m: FeatureMatrix, labels: ArrayLike<number>, numClasses: number): FeatureMatrix[] {
  if (labels.length !== m.rows) throw new Error(`${labels.length} labels for ${m.rows} feature rows`)
  const groups: number[][] = Array.from({ length: numClasses }, () => [])
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]
    if (!(c >= 0 && c < numClasses)) throw new Error(`label ${c} of row ${i} is outside 0..${numClasses - 1}`)
    groups[c].push(i)
  }
  return groups.map((idx) => selectRows(m, idx))
}
