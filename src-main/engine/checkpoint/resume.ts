// Resuming a run: a checkpoint's tensors into freshly built parts, checked
// against the config, so training continues exactly where it stopped.
import * as tf from '@tensorflow/tfjs-core'
import type { RunConfig } from '../../../src-shared/run-config'
import { Rng } from '../../random'
import { type AdaptiveState, initialAugmentState } from '../augment/adaptive-probability'
import { buildParts, disposeParts, namedVariables, type TrainerParts } from '../train/parts'
import type { TrainerState } from './state'

/** Parts holding the checkpoint's weights, optimiser and rng, and the step and augmentation state to go on from. */
export function resumeParts(config: RunConfig, state: TrainerState): { parts: TrainerParts; step: number; augment: AdaptiveState } {
  const parts = buildParts(config, new Rng(state.rng), false)
  const byName = new Map(state.tensors.map((t) => [t.name, t]))
  const problems: string[] = []
  for (const [name, v] of namedVariables(parts)) {
    const t = byName.get(name)
    if (!t) problems.push(`missing ${name}`)
    else if (t.shape.join('x') !== v.shape.join('x')) problems.push(`${name} is ${t.shape.join('x')}, the config builds ${v.shape.join('x')}`)
    else tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)))
  }
  if (problems.length) {
    disposeParts(parts)
    throw new Error(
      `Checkpoint does not match this run's config (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; +${problems.length - 3} more` : ''}); resume with the config the checkpoint was saved with`,
    )
  }
  parts.adamG.step = state.adamSteps.g
  parts.adamD.step = state.adamSteps.d
  // Checkpoints from before augmentation existed trained without it: the config's start is theirs.
  return { parts, step: state.step, augment: state.augment ? { ...state.augment } : initialAugmentState(config.augment) }
}
