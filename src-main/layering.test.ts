// The process layering is enforced by eslint.config.js; these cases hold the rules to it, so a
// loosened pattern shows up here rather than as a quiet import across a layer.
import { execFileSync } from 'node:child_process'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname })

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals').map((m) => m.message)
}

describe('import layering', () => {
  it('keeps Node, main-process packages and the DOM out of src-shared', async () => {
    expect(await restricted('src-shared/x.ts', "import { readFileSync } from 'node:fs'\nexport const f = readFileSync")).toHaveLength(1)
    expect(await restricted('src-shared/x.ts', "import Database from 'better-sqlite3'\nexport const d = Database")).toHaveLength(1)
    expect(await restricted('src-shared/x.ts', "import { x } from '../src-main/studio/service'\nexport const y = x")).toHaveLength(1)
    expect(await restricted('src-shared/x.ts', 'export const w = window.innerWidth + process.pid')).toHaveLength(2)
    expect(await restricted('src-shared/x.ts', "import { z } from 'zod'\nexport const s = z.string()")).toEqual([])
  })

  it('lets the renderer reach the main process only through src-shared', async () => {
    expect(
      await restricted('src-renderer/src/x.ts', "import { openStudio } from '../../src-main/studio/open-studio'\nexport const o = openStudio"),
    ).toHaveLength(1)
    expect(await restricted('src-renderer/src/x.ts', "import { ipcRenderer } from 'electron'\nexport const i = ipcRenderer")).toHaveLength(1)
    expect(await restricted('src-renderer/src/x.ts', "import * as tf from '@tensorflow/tfjs-core'\nexport const t = tf")).toHaveLength(1)
    expect(await restricted('src-renderer/src/x.ts', "import { CALL_NAMES } from '../../src-shared/contract'\nexport const c = CALL_NAMES")).toEqual([])
  })

  it('keeps each main-process layer below the ones that use it', async () => {
    expect(await restricted('src-main/engine/train/x.ts', "import { a } from '../../studio/service'\nexport const b = a")).toHaveLength(1)
    expect(await restricted('src-main/engine/x.ts', "import { a } from '../store/run-store'\nexport const b = a")).toHaveLength(1)
    expect(await restricted('src-main/data/x.ts', "import { a } from '../metrics/fid'\nexport const b = a")).toHaveLength(1)
    expect(await restricted('src-main/store/x.ts', "import { a } from '../studio/service'\nexport const b = a")).toHaveLength(1)
    expect(await restricted('src-main/studio/x.ts', "import { a } from '../host/server'\nexport const b = a")).toHaveLength(1)
    expect(await restricted('src-main/studio/x.ts', "import { a } from '../store/run-store'\nexport const b = a")).toEqual([])
    expect(await restricted('src-main/cli/x.ts', "import { a } from '../studio/service'\nexport const b = a")).toEqual([])
  })
})

describe('main-process weight', () => {
  it('opens the studio without loading TensorFlow.js (the engine runs in workers)', () => {
    const root = new URL('..', import.meta.url).pathname
    const probe = "await import('./src-main/studio/open-studio.ts'); console.log(JSON.stringify('_tfengine' in globalThis))"
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8' })
    expect(JSON.parse(out.trim())).toBe(false)
  })
})
