// ADA's controller (Karras et al. 2020, "Training Generative Adversarial Networks
// with Limited Data"): the overfitting signal r_t = E[sign(D(real))] is 0 when D
// cannot tell training images from fakes and 1 when it is sure of every one of
// them (it has memorised the set). Every adjustEvery steps the augmentation
// probability p moves by sign(r_t - target), fast enough to go from 0 to 1 in
// rampImages real images, and stays in [0, 1]. Its state is part of the checkpoint.
import type { RunConfig } from '../../../src-shared/run-config'

export interface AdaptiveState {
  p: number
  /** Sum and count of the per-step r_t since the last adjustment. */
  signSum: number
  signCount: number
}

/** Where a run starts: adaptive p at 0 (as ADA), a fixed p as configured. */
export function initialAugmentState(augment: RunConfig['augment']): AdaptiveState {
  return { p: augment.adaptive ? 0 : augment.p, signSum: 0, signCount: 0 }
}

/** The state after one step with overfitting signal rt, seeing realImages real images per step. */
export function observeStep(state: AdaptiveState, rt: number, augment: RunConfig['augment'], realImages: number): AdaptiveState {
  if (!augment.adaptive || augment.policy === 'off') return state
  const signSum = state.signSum + rt
  const signCount = state.signCount + 1
  if (signCount < augment.adjustEvery) return { ...state, signSum, signCount }
  const delta = (Math.sign(signSum / signCount - augment.target) * augment.adjustEvery * realImages) / augment.rampImages
  return { p: Math.min(1, Math.max(0, state.p + delta)), signSum: 0, signCount: 0 }
}
