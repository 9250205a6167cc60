import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

const TFJS_BUNDLED = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-converter',
]

export default defineConfig({
  main: {
    build: {
      // tfjs ships Node-incompatible ESM (extension-less deep imports) and its
      // gradients only as ESM: bundle it so there is exactly one tfjs copy.
      // `webgpu` (Dawn, an N-API addon) stays external like every other dependency: a .node file cannot be bundled.
      externalizeDeps: { exclude: TFJS_BUNDLED },
      rolldownOptions: {
        input: {
          index: resolve('src-main/electron/main.ts'),
          cli: resolve('src-main/cli/main.ts'),
          'training-worker': resolve('src-main/engine/worker/training-worker.ts'),
          'inspection-worker': resolve('src-main/engine/worker/inspection-worker.ts'),
          'replica-worker': resolve('src-main/engine/replicas/replica-worker.ts'),
          'evaluation-worker': resolve('src-main/metrics/worker/evaluation-worker.ts'),
          'export-worker': resolve('src-main/export/model/export-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: resolve('src-main/electron/preload.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    build: {
      rolldownOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
    plugins: [svelte({ configFile: resolve('svelte.config.js') })],
  },
})
