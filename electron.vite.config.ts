import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

// electron is an optional dependency (its binary download fails offline). The
// build only needs its major version to pick the Node target, so take it from
// our own package.json when the package itself is absent.
const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as {
  optionalDependencies: Record<string, string>
}
process.env.ELECTRON_MAJOR_VER ??= /\d+/.exec(pkg.optionalDependencies.electron)?.[0]

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve('src-main/electron/main.ts'),
          cli: resolve('src-main/cli/main.ts'),
          'training-worker': resolve('src-main/engine/worker/training-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: resolve('src-main/electron/preload.ts') },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    build: {
      rolldownOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
    plugins: [svelte()],
  },
})
