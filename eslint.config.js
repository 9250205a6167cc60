// Lint, and the process layering as rules (docs/architecture.md, "Layers"):
// src-shared knows nothing of Node, Electron or the DOM; the renderer reaches the main process
// only through src-shared's contract; inside src-main each layer imports only the layers below it.
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)]
/** Packages that only the main process may load (native code, Node APIs, the engine). */
const mainOnlyPackages = ['electron', 'better-sqlite3', 'sharp', 'ws', 'sirv', 'env-paths', 'webgpu', '@tensorflow/*', 'commander', 'image-size']

/** A relative import that climbs into one of `folders` (e.g. '../store/x', '../../studio/y'). */
const into = (folders, why) => ({ regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`, message: why })

/**
 * One layer's import rule. Tests may use Node to read fixtures, so they get only the folder rules;
 * `testsReachMain`: the renderer's component tests render against a real studio (src-main/testing).
 */
const layer = (files, { patterns = [], paths = [], globals: banned = [], testsReachMain = false }) => [
  {
    files,
    ignores: ['**/*.test.ts', '**/testing/**', '**/test/**'],
    rules: {
      'no-restricted-imports': ['error', { paths, patterns }],
      ...(banned.length ? { 'no-restricted-globals': ['error', ...banned] } : {}),
    },
  },
  ...(testsReachMain
    ? []
    : [
        {
          files: files.map((f) => f.replace(/\*\*\/\*\.(ts|svelte)$/, '**/*.test.ts')),
          rules: { 'no-restricted-imports': ['error', { patterns: patterns.filter((p) => p.regex) }] },
        },
      ]),
]

const noNode = (where) => ({
  group: [...nodeBuiltins, ...mainOnlyPackages],
  message: `${where} runs outside Node: it may not load Node modules or main-process packages.`,
})
const domGlobals = ['window', 'document', 'navigator', 'localStorage'].map((name) => ({ name, message: 'src-shared knows no DOM.' }))
const nodeGlobals = ['process', 'Buffer', 'require', '__dirname'].map((name) => ({ name, message: 'src-shared knows no Node.' }))

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'dist/**', 'resources/**', 'src-renderer/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // tsc (noUnusedLocals/Parameters) already reports these, with the compiler's own reading of the code.
      '@typescript-eslint/no-unused-vars': 'off',
      // TypeScript resolves identifiers; the core rule does not know type-only globals.
      'no-undef': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },

  // src-shared: the contract, schemas and domain types; it runs in both processes.
  ...layer(['src-shared/**/*.ts'], {
    patterns: [noNode('src-shared'), into(['src-main', 'src-renderer'], 'src-shared imports nothing from the processes above it.')],
    globals: [...domGlobals, ...nodeGlobals],
  }),
  // The renderer: untrusted code in a browser page; only src-shared's contract leads to the main process.
  ...layer(['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'], {
    patterns: [noNode('The renderer'), into(['src-main'], 'The renderer reaches the main process only through src-shared/contract.')],
    testsReachMain: true,
  }),
  // Inside src-main, each layer imports only those below it: engine/data/workers -> metrics/export -> store -> studio -> faces.
  ...layer(['src-main/engine/**/*.ts', 'src-main/data/**/*.ts', 'src-main/workers/**/*.ts'], {
    patterns: [
      into(
        ['studio', 'store', 'host', 'electron', 'cli', 'metrics', 'export', 'src-renderer'],
        'The engine and the data pipeline are the bottom layer: they import no metrics, export, store, studio or faces.',
      ),
    ],
  }),
  ...layer(['src-main/metrics/**/*.ts', 'src-main/export/**/*.ts'], {
    patterns: [
      into(
        ['studio', 'store', 'host', 'electron', 'cli', 'src-renderer'],
        'Metrics and export are computations: they know nothing of the studio, its store or its faces.',
      ),
    ],
  }),
  ...layer(['src-main/store/**/*.ts'], {
    patterns: [into(['studio', 'host', 'electron', 'cli', 'src-renderer'], 'The store keeps rows; it knows nothing of the service or its faces.')],
  }),
  ...layer(['src-main/studio/**/*.ts'], {
    patterns: [
      into(['host', 'electron', 'cli', 'src-renderer'], 'The service knows no transport: the faces (electron, host, cli) import it, not the other way round.'),
    ],
  }),
  ...layer(['src-main/host/**/*.ts', 'src-main/electron/**/*.ts', 'src-main/cli/**/*.ts'], {
    patterns: [into(['src-renderer'], 'The main process never imports renderer code.')],
  }),
)
