// Gradient checks against central finite differences, for the gradient audit.
// tfjs has no float64, so: the loss sum(f * r) (r fixed and random, so every
// output gets its own upstream gradient) is summed in float64 from the float32
// outputs, and steps are large enough (default 1e-2 on values of order 1) that
// float32 rounding of the outputs stays far below the differences measured.
// Inputs must keep kinks (relu at 0, max-pool ties) more than a step away.
import * as tf from '@tensorflow/tfjs-core'
import { randomValues } from './numerics'

interface GradientCheck {
  /** Per variable: max |analytic - numeric| / max |numeric| over its elements. */
  errors: { name: string; error: number }[]
  /** Largest of the errors above. */
  worst: number
}

/** sum(y * r) in float64. */
function weightedSum(y: tf.Tensor, r: Float32Array): number {
  const values = y.dataSync()
  let s = 0
  for (let i = 0; i < values.length; i++) s += values[i] * r[i]
  return s
}

/**
 * Compares tfjs's gradient of sum(f() * r) with respect to each variable with a
 * central difference per element. f reads the variables (closure); it must be
 * deterministic. Variables are restored afterwards.
 */
export function checkGradients(f: () => tf.Tensor, variables: Record<string, tf.Variable>, step = 1e-2): GradientCheck {
  const size = tf.tidy(() => f().size)
  const r = randomValues(size, 977)
  const rTensor = tf.tensor(r)
  const names = Object.keys(variables)
  const analytic = tf.tidy(() => {
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(tf.reshape(f(), [-1]), rTensor)) as tf.Scalar,
      names.map((n) => variables[n]),
    )
    return names.map((n) => grads[variables[n].name].dataSync() as Float32Array)
  })
  rTensor.dispose()
  const errors = names.map((name, i) => {
    const v = variables[name]
    const original = v.dataSync().slice() as Float32Array
    const numeric = new Float64Array(original.length)
    const at = (values: Float32Array) => {
      tf.tidy(() => v.assign(tf.tensor(values, v.shape)))
      return tf.tidy(() => weightedSum(f(), r))
    }
    for (let k = 0; k < original.length; k++) {
      const shifted = original.slice()
      shifted[k] = original[k] + step
      const up = at(shifted)
      shifted[k] = original[k] - step
      numeric[k] = (up - at(shifted)) / (2 * step)
    }
    tf.tidy(() => v.assign(tf.tensor(original, v.shape)))
    let diff = 0
    let scale = 1e-12
    for (let k = 0; k < numeric.length; k++) {
      diff = Math.max(diff, Math.abs(analytic[i][k] - numeric[k]))
      scale = Math.max(scale, Math.abs(numeric[k]))
    }
    return { name, error: diff / scale }
  })
  return { errors, worst: Math.max(...errors.map((e) => e.error)) }
}

/** A trainable variable from plain values (tf.variable keeps its own copy; the temporary is freed). */
export function variableOf(values: ArrayLike<number>, shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(Array.from(values), shape), true))
}

/**
 * For networks too large to difference element by element: along `directions`
 * random directions d over all variables at once, compares sum(grad . d) with
 * (L(w + h d) - L(w - h d)) / 2h. Returns the worst relative error.
 */
export function checkDirectional(f: () => tf.Tensor, variables: tf.Variable[], directions = 3, step = 1e-3): number {
  const size = tf.tidy(() => f().size)
  const r = randomValues(size, 978)
  const rTensor = tf.tensor(r)
  const grads = tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.reshape(f(), [-1]), rTensor)) as tf.Scalar, variables)
    return variables.map((v) => grads[v.name].dataSync() as Float32Array)
  })
  rTensor.dispose()
  const originals = variables.map((v) => v.dataSync().slice() as Float32Array)
  const setAll = (dirs: Float32Array[], scale: number) =>
    variables.forEach((v, i) =>
      tf.tidy(() =>
        v.assign(
          tf.tensor(
            originals[i].map((x, k) => x + scale * dirs[i][k]),
            v.shape,
          ),
        ),
      ),
    )
  let worst = 0
  for (let t = 0; t < directions; t++) {
    const dirs = variables.map((v, i) => randomValues(v.size, 1000 * t + i))
    let analytic = 0
    dirs.forEach((d, i) => d.forEach((x, k) => (analytic += x * grads[i][k])))
    setAll(dirs, step)
    const up = tf.tidy(() => weightedSum(f(), r))
    setAll(dirs, -step)
    const down = tf.tidy(() => weightedSum(f(), r))
    const numeric = (up - down) / (2 * step)
    worst = Math.max(worst, Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 1e-12))
  }
  variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(originals[i], v.shape))))
  return worst
}

/**
 * Values for max-pool checks, x: [B, H, W, C] with H, W even: 2x2 windows in
 * turn all negative, mixed and all positive, the maximum in every corner;
 * values in a window at least 0.25 apart (far more than a difference step).
 */
export function windowsOfEverySign([b, h, w, c]: [number, number, number, number]): Float32Array {
  const out = new Float32Array(b * h * w * c)
  let window = 0
  for (let n = 0; n < b; n++)
    for (let i = 0; i < h; i += 2)
      for (let j = 0; j < w; j += 2)
        for (let k = 0; k < c; k++, window++) {
          const offset = [-3, -1.2, 0.4][window % 3]
          const cells = [
            [i, j],
            [i, j + 1],
            [i + 1, j],
            [i + 1, j + 1],
          ]
          cells.forEach(([y, x], e) => (out[((n * h + y) * w + x) * c + k] = offset + 0.25 * ((e + window) % 4) + 0.01 * window))
        }
  return out
}
