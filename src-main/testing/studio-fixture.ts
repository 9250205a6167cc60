// A real studio on a temporary data folder, for tests.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStudioParts, type OpenStudioOptions, type StudioParts } from '../studio/open-studio'
import type { NewRun } from '../store/run-store'

export interface TempStudio extends StudioParts {
  dispose(): Promise<void>
}

export function tempStudio(options: Pick<OpenStudioOptions, 'probeBackend' | 'saveFile' | 'folderRoots'> = {}): TempStudio {
  const dataDir = mkdtempSync(join(tmpdir(), 'sagan-studio-'))
  const studio = openStudioParts({ dataDir, host: 'browser', ...options })
  return {
    ...studio,
    dispose: async () => {
      await studio.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export const sampleRun: NewRun = {
  name: 'demo quick',
  datasetPath: '/tmp/demo',
  datasetName: 'demo',
  preset: 'quick',
  ablation: 'sagan',
  config: { steps: 10 },
  targetSteps: 10,
  appVersion: '0.1.0',
}
