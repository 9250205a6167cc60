// A trainer's state as a checkpoint holds it (state.ts is the byte format).
import type { AdaptiveState } from '../augment/adaptive-probability'
import { namedVariables, type TrainerParts } from '../train/parts'
import type { NamedArray, TrainerState } from './state'

export async function captureState(parts: TrainerParts, step: number, augment: AdaptiveState): Promise<TrainerState> {
  const variables = namedVariables(parts)
  const arrays = await Promise.all(variables.map(([, v]) => v.data() as Promise<Float32Array>))
  const tensors: NamedArray[] = variables.map(([name, v], i) => ({ name, shape: [...v.shape], data: arrays[i] }))
  return { version: 1, step, rng: parts.rng.getState(), adamSteps: { g: parts.adamG.step, d: parts.adamD.step }, augment: { ...augment }, tensors }
}
