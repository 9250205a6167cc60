// A run's stored settings, read through the run-config schema: a config written
// before a field existed gets that field's default, so every reader sees a whole RunConfig.
import { z } from 'zod'
import { RunConfigSchema, type RunConfig } from '../../src-shared/run-config'
import { StudioError } from '../../src-shared/errors'

export function parseStoredConfig(runId: string, json: string): RunConfig {
  const parsed = RunConfigSchema.safeParse(JSON.parse(json))
  if (!parsed.success)
    throw new StudioError('internal', `The stored settings of run ${runId} are not a run config this studio can read: ${z.prettifyError(parsed.error)}`, runId)
  return parsed.data
}
