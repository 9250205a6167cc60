// `sagan-studio`: the headless face of the studio. Same door, same store.
import { fileURLToPath } from 'node:url'
import { writeSync } from 'node:fs'
import { createInterface } from 'node:readline/promises'
import { resolve as resolvePath } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { ABLATIONS, BACKEND_PREFERENCES, PRESETS } from '../../src-shared/run-config'
import { SHEET_KINDS } from '../../src-shared/export'
import { RUN_SORT_KEYS, RUN_STATUSES } from '../../src-shared/runs'
import { StudioError } from '../../src-shared/errors'
import { APP_VERSION } from '../../src-shared/version'
import { startHost } from '../host/server'
import { resolveDataDir } from '../studio/data-dir'
import { openStudio, type Studio } from '../studio/open-studio'
import { browsableRoots } from '../studio/folder-browser'
import { formatReportText } from '../data'
import { formatBytes } from '../../src-shared/format'
import { formatRunDetail, formatRunsTable } from './format'
import { folderFid, formatFid } from './fid'
import { followRun } from './train'
import { formatModelExport, sheetFromModel, sheetOptionsFromFlags, writeSheet } from './export'

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1')
  return n
}

function replicaCount(value: string): number | 'auto' {
  return value === 'auto' ? 'auto' : positiveInt(value)
}

function wholeNumber(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number (0 or more)')
  return n
}

function positiveNumber(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0')
  return n
}

const program = new Command('sagan-studio')
  .description('Train Self-Attention GANs on your own image folders.')
  .version(APP_VERSION, '-v, --version')
  .showHelpAfterError()
  // Commander exits right after printing help/version; write synchronously so
  // nothing is lost when stdout is a pipe.
  .configureOutput({ writeOut: (s) => writeSync(1, s), writeErr: (s) => writeSync(2, s) })

const dataDirOption = () => new Option('--data-dir <dir>', 'folder holding the studio database (default: the XDG data folder)')

function studioFor(opts: { dataDir?: string }, folderRoots?: string[], maxConcurrentRuns?: number): Studio {
  return openStudio({ dataDir: resolveDataDir(opts.dataDir), host: 'browser', folderRoots, maxConcurrentRuns })
}

/** Read from the environment rather than the command line, where other users' `ps` can see it. */
const TOKEN_VARIABLE = 'SAGAN_STUDIO_TOKEN'

/** Opens the studio for one command and always closes it (live runs save first). */
async function withStudio<T>(opts: { dataDir?: string }, fn: (studio: Studio) => Promise<T>): Promise<T> {
  const studio = studioFor(opts)
  try {
    return await fn(studio)
  } finally {
    await studio.close()
  }
}

program
  .command('serve')
  .description('serve the studio UI to a browser on this machine')
  .option('-p, --port <port>', 'TCP port (0 picks a free one)', (v) => parseInt(v, 10), 4780)
  .option('--host <address>', 'address to bind; anything but loopback exposes the studio to your network', '127.0.0.1')
  .option(
    '--token <token>',
    `reuse a token of at least 128 bits (e.g. to restart without reopening the page; also read from ${TOKEN_VARIABLE}); default: a new random one`,
  )
  .option('--max-runs <n>', 'runs that train at once; more wait in a queue (each takes its share of the cores and memory)', positiveInt, 1)
  .option('--root <dir...>', 'also let the browser open image folders inside DIR (default: your home folder and the demo)')
  .addOption(dataDirOption())
  .action(async (opts: { port: number; host: string; token?: string; root?: string[]; maxRuns: number; dataDir?: string }) => {
    const token = opts.token ?? (process.env[TOKEN_VARIABLE] || undefined)
    const studio = studioFor(opts, browsableRoots((opts.root ?? []).map((r) => resolvePath(r))), opts.maxRuns)
    const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url))
    const host = await startHost({ calls: studio.calls, events: studio.events, rendererDir, port: opts.port, host: opts.host, token }).catch(
      async (err: unknown) => {
        await studio.close()
        throw err
      },
    )
    if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
      console.warn(`Warning: listening on ${opts.host}; anyone who can reach it and has the token controls the studio.`)
    }
    console.log(`SAGAN Studio is running at ${host.url}`)
    console.log(`Data folder: ${resolveDataDir(opts.dataDir)}  (Ctrl+C to stop)`)
    const stop = async () => {
      await host.close()
      await studio.close()
      process.exit(0)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })

program
  .command('train')
  .description('train a SAGAN on an image folder (one sub-folder per class), headless')
  .requiredOption('--data <dir>', 'image folder, or "demo" for the built-in Fashion-MNIST set')
  .addOption(new Option('--preset <name>', 'size and cost preset').choices(Object.keys(PRESETS)).default('quick'))
  .addOption(new Option('--ablation <name>', 'paper ablation').choices(Object.keys(ABLATIONS)).default('sagan'))
  .option('--steps <n>', 'training steps', positiveInt)
  .option('--seed <n>', 'random seed', positiveInt)
  .option('--batch-size <n>', 'images per batch', positiveInt)
  .option('--replicas <n|auto>', 'data-parallel worker threads sharing each batch (auto: one per core on wasm)', replicaCount)
  .addOption(
    new Option(
      '--backend <name>',
      'tfjs backend (auto: tensorflow-gpu, webgpu on a hardware GPU, tensorflow, wasm, cpu; webgpu by name also takes a software adapter)',
    ).choices([...BACKEND_PREFERENCES]),
  )
  .option('--sample-every <n>', 'save a fixed-noise sample sheet every N steps', positiveInt)
  .option('--checkpoint-every <n>', 'save a checkpoint every N steps', positiveInt)
  .option('--name <name>', 'run name')
  .option('--json', 'print JSON lines instead of a progress bar')
  .addOption(dataDirOption())
  .action(async (opts) => {
    process.exitCode = await withStudio(opts, async (studio) => {
      const overrides = Object.fromEntries(
        Object.entries({
          steps: opts.steps,
          seed: opts.seed,
          batchSize: opts.batchSize,
          replicas: opts.replicas,
          backend: opts.backend,
          sampleEvery: opts.sampleEvery,
          checkpointEvery: opts.checkpointEvery ? { steps: opts.checkpointEvery } : undefined,
        }).filter(([, v]) => v !== undefined),
      )
      const dataPath = opts.data === 'demo' ? 'demo' : resolvePath(opts.data)
      const run = await studio.calls.startRun({ datasetPath: dataPath, preset: opts.preset, ablation: opts.ablation, name: opts.name, overrides })
      return followRun(studio, run, { json: Boolean(opts.json) })
    })
  })

program
  .command('resume')
  .description('resume an interrupted, stopped or paused run from its last checkpoint')
  .argument('<id>', 'run id (see `runs list`)')
  .option('--steps <n>', 'train this many more steps', positiveInt)
  .option('--json', 'print JSON lines instead of a progress bar')
  .addOption(dataDirOption())
  .action(async (id: string, opts) => {
    process.exitCode = await withStudio(opts, async (studio) => followRun(studio, await studio.calls.resumeRun(id, opts.steps), { json: Boolean(opts.json) }))
  })

program
  .command('dataset')
  .description('inspect image folders')
  .command('check')
  .description('scan and validate a folder: classes, skipped files with reasons, warnings (exit 0 when trainable)')
  .argument('<dir>', 'image folder, or "demo"')
  .option('--size <px>', 'training image size', positiveInt, 32)
  .option('--json', 'print the report as JSON')
  .addOption(dataDirOption())
  .action(async (dir: string, opts) => {
    const report = await withStudio(opts, (studio) => studio.calls.checkDataset(dir === 'demo' ? 'demo' : resolvePath(dir), opts.size))
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatReportText(report))
    process.exitCode = report.trainable ? 0 : 2
  })

program
  .command('fid')
  .description("FID and KID of a run's checkpoint against its dataset, or between two folders (--real/--fake)")
  .argument('[runId]', 'run to evaluate (see `runs list`); omit with --real/--fake')
  .option('--step <n>', 'evaluate the newest checkpoint at or before this step', positiveInt)
  .option('--samples <n>', "generated images (default: the run's evalSamples)", positiveInt)
  .option('--real <dir>', 'folder of real images (class sub-folders give intra-FID too)')
  .option('--fake <dir>', 'folder of generated images (same class names for intra-FID)')
  .option('--size <px>', 'image size both folders are brought to', positiveInt, 32)
  .option('--inception <dir>', 'folders only: a local Inception-v3 TF.js graph model (model.json) for standard pool3 features')
  .option('--json', 'print JSON')
  .addOption(dataDirOption())
  .action(async (runId: string | undefined, opts) => {
    if (runId) {
      const result = await withStudio(opts, (studio) => studio.calls.evaluateCheckpoint(runId, { step: opts.step, samples: opts.samples }))
      console.log(opts.json ? JSON.stringify(result, null, 2) : `step ${result.step}\n${formatFid(result)}`)
      return
    }
    if (!opts.real || !opts.fake) throw new InvalidArgumentError('give a run id, or both --real DIR and --fake DIR')
    const inception = opts.inception ? resolvePath(opts.inception) : undefined
    const result = await folderFid(resolvePath(opts.real), resolvePath(opts.fake), opts.size, resolveDataDir(opts.dataDir), inception)
    console.log(opts.json ? JSON.stringify(result, null, 2) : formatFid(result))
  })

program
  .command('export')
  .description("draw a labelled sample sheet from a run's kept checkpoints (PNG, JPEG or WebP by the file name), or export its generator")
  .argument('[runId]', 'run to draw from (see `runs list`); omit with --from-model')
  .option('-o, --out <file>', 'where to write the sheet: .png, .jpg or .webp')
  .option('--model <dir>', "write the run's generator (raw and EMA) as TF.js graph models into this folder, with HOW-TO-SAMPLE.md")
  .option('--from-model <dir>', 'draw the sheet from an exported generator folder instead of a run')
  .addOption(
    new Option('--sheet <kind>', 'grid: N per class; timeline: same latents at each checkpoint; interp: latent walks').choices(SHEET_KINDS).default('grid'),
  )
  .option('--step <n>', 'checkpoint step (grid, interp); default: the best by intra-FID (FID for unconditional runs), else the newest', wholeNumber)
  .option('--steps <list>', 'timeline: comma-separated checkpoint steps; default: every kept checkpoint')
  .option('--classes <list>', 'comma-separated class names or indices, in row order; default: all')
  .option('--per-class <n>', 'samples per class row (grid; unconditional runs get N x N), rows per class (timeline, interp)', positiveInt)
  .option('--frames <n>', 'interp: frames per row, both ends included', positiveInt)
  .option('--seed <n>', "latent seed; default: the run's seed (the gallery's latents)", wholeNumber)
  .option('--ema', 'use the EMA weights (the default when the run keeps them)')
  .option('--raw', 'use the raw generator weights')
  .option('--truncation <t>', 'redraw latent values beyond +-t (truncation trick)', positiveNumber)
  .option('--cell <px>', 'cell size; small images are upscaled nearest-neighbour', positiveInt)
  .option('--padding <px>', 'space between cells', wholeNumber)
  .option('--background <#rrggbb>', 'background colour')
  .option('--no-labels', 'no class names or step labels')
  .option('--no-header', 'no header (run, step, FID, settings)')
  .option('--no-footer', 'no footer (seed, run id)')
  .option('--quality <1-100>', 'JPEG and WebP quality', positiveInt)
  .addOption(dataDirOption())
  .action(async (runId: string | undefined, opts) => {
    if (opts.fromModel) {
      if (runId || opts.model) throw new InvalidArgumentError('--from-model draws from the exported folder alone: give no run id and no --model')
      if (!opts.out) throw new InvalidArgumentError('give --out FILE for the sheet')
      console.log(await sheetFromModel(resolvePath(opts.fromModel), resolvePath(opts.out), opts))
      return
    }
    if (!runId) throw new InvalidArgumentError('give a run id (see `runs list`), or --from-model DIR')
    if (!opts.out && !opts.model) throw new InvalidArgumentError('give --out FILE for a sheet, --model DIR for the generator, or both')
    const messages = await withStudio(opts, async (studio) => {
      const done: string[] = []
      if (opts.model) done.push(formatModelExport(await studio.calls.writeModel(runId, resolvePath(opts.model), opts.step)))
      if (opts.out)
        done.push(
          writeSheet(resolvePath(opts.out), await studio.calls.exportSheet(runId, sheetOptionsFromFlags(opts, (await studio.calls.getRun(runId)).classNames))),
        )
      return done
    })
    console.log(messages.join('\n'))
  })

const runs = program.command('runs').description('browse run history')

runs
  .command('list')
  .description('list runs, newest first')
  .option('--json', 'print JSON')
  .option('--search <text>', 'filter by name, dataset or notes')
  .addOption(new Option('--status <status...>', 'only runs in these states').choices(RUN_STATUSES))
  .addOption(new Option('--sort <key>', 'sort key').choices(RUN_SORT_KEYS).default('createdAt'))
  .option('--asc', 'ascending order')
  .addOption(dataDirOption())
  .action(async (opts) => {
    const list = await withStudio(opts, (studio) =>
      studio.calls.listRuns({ search: opts.search, status: opts.status, sort: opts.sort, order: opts.asc ? 'asc' : 'desc' }),
    )
    console.log(opts.json ? JSON.stringify(list, null, 2) : formatRunsTable(list))
  })

runs
  .command('show')
  .description('show one run with its config')
  .argument('<id>', 'run id (see `runs list`)')
  .option('--json', 'print JSON')
  .addOption(dataDirOption())
  .action(async (id: string, opts) => {
    const run = await withStudio(opts, (studio) => studio.calls.getRun(id))
    console.log(opts.json ? JSON.stringify(run, null, 2) : formatRunDetail(run))
  })

runs
  .command('rename')
  .description('give a run a new name')
  .argument('<id>', 'run id')
  .argument('<name>', 'new name')
  .addOption(dataDirOption())
  .action(async (id: string, name: string, opts) => {
    const run = await withStudio(opts, (studio) => studio.calls.renameRun(id, name))
    console.log(`renamed ${run.id} to "${run.name}"`)
  })

runs
  .command('notes')
  .description("set a run's notes (replaces them)")
  .argument('<id>', 'run id')
  .argument('<text>', 'the notes')
  .addOption(dataDirOption())
  .action(async (id: string, text: string, opts) => {
    await withStudio(opts, (studio) => studio.calls.setRunNotes(id, text))
    console.log(`notes of ${id} saved`)
  })

runs
  .command('clone')
  .description("start a new run with another run's dataset and settings, and follow it")
  .argument('<id>', 'run to copy')
  .option('--name <name>', 'name of the new run')
  .option('--json', 'print JSON lines instead of a progress bar')
  .addOption(dataDirOption())
  .action(async (id: string, opts) => {
    process.exitCode = await withStudio(opts, async (studio) => followRun(studio, await studio.calls.cloneRun(id, opts.name), { json: Boolean(opts.json) }))
  })

runs
  .command('delete')
  .description('delete a run with its checkpoints, samples and metrics')
  .argument('<id>', 'run id')
  .option('-y, --yes', 'do not ask for confirmation')
  .addOption(dataDirOption())
  .action(async (id: string, opts) => {
    await withStudio(opts, async (studio) => {
      const run = await studio.calls.getRun(id)
      if (!opts.yes) {
        if (!process.stdin.isTTY) throw new InvalidArgumentError(`refusing to delete "${run.name}" without confirmation: add --yes`)
        const rl = createInterface({ input: process.stdin, output: process.stdout })
        const answer = await rl.question(`Delete run "${run.name}" (${run.step} steps, ${formatBytes(run.diskBytes)}) and everything it saved? [y/N] `)
        rl.close()
        if (!/^y(es)?$/i.test(answer.trim())) {
          console.log('kept')
          return
        }
      }
      await studio.calls.deleteRun(id)
      console.log(`deleted ${id} ("${run.name}")`)
    })
  })

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof StudioError || err instanceof Error ? err.message : String(err)
  console.error(`sagan-studio: ${message}`)
  process.exit(1)
})
