// Adam, exactly as torch.optim.Adam (bias-corrected, eps outside the sqrt),
// over named variables, with its whole state (moments, step) inspectable
// so that a checkpoint restores it bit for bit.
import * as tf from '@tensorflow/tfjs-core'

interface AdamSettings {
  lr: number
  beta1: number
  beta2: number
  eps: number
}

export class Adam {
  readonly m = new Map<string, tf.Variable>()
  readonly v = new Map<string, tf.Variable>()
  /** Updates applied so far (torch's state['step']). */
  step = 0

  constructor(
    private readonly params: Map<string, tf.Variable>,
    private readonly settings: AdamSettings,
  ) {
    const zeros = (p: tf.Tensor) => {
      const t = tf.zerosLike(p)
      const v = tf.variable(t, false)
      t.dispose() // the variable holds its own reference
      return v
    }
    for (const [name, p] of params) {
      this.m.set(name, zeros(p))
      this.v.set(name, zeros(p))
    }
  }

  /** grads by parameter name; parameters without a gradient keep their value and moments. Call inside tf.tidy. */
  apply(grads: Map<string, tf.Tensor>): void {
    this.step++
    const { lr, beta1, beta2, eps } = this.settings
    const stepSize = lr / (1 - beta1 ** this.step)
    const sqrtBc2 = Math.sqrt(1 - beta2 ** this.step)
    for (const [name, g] of grads) {
      const p = this.params.get(name)
      const m = this.m.get(name)
      const v = this.v.get(name)
      if (!p || !m || !v) throw new Error(`Adam: gradient for unknown parameter "${name}"`)
      const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1))
      const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2))
      const denom = tf.add(tf.div(tf.sqrt(v1), sqrtBc2), eps)
      p.assign(tf.sub(p, tf.mul(stepSize, tf.div(m1, denom))))
      m.assign(m1)
      v.assign(v1)
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose()
  }
}
