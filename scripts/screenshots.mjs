// The README's screenshots and timeline sheet, from a trained run in a data folder:
//
//   npm run build && node scripts/screenshots.mjs --data-dir DIR --run ID [--out docs/screenshots]
//
// Starts the real browser host on DIR, drives Debian's chromium (Playwright) through the Run view
// (run.png, attention.png, health.png), the Export view (export.png) and the New run report
// (new-run.png), and draws sheet-timeline.png with the CLI's `export --sheet timeline`.
import { execFileSync, spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium } from '@playwright/test'

const { values: args } = parseArgs({
  options: { 'data-dir': { type: 'string' }, run: { type: 'string' }, out: { type: 'string', default: 'docs/screenshots' } },
})
if (!args['data-dir'] || !args.run) {
  console.error('usage: node scripts/screenshots.mjs --data-dir DIR --run ID [--out docs/screenshots]')
  process.exit(2)
}
const dataDir = resolve(args['data-dir'])
const out = resolve(args.out)
const cli = join(import.meta.dirname, '..', 'out', 'main', 'cli.js')

const host = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
const url = await new Promise((ok, fail) => {
  let text = ''
  const seen = (chunk) => {
    text += chunk
    const m = /running at (\S+)/.exec(text)
    if (m) ok(m[1])
  }
  host.stdout.on('data', seen)
  host.stderr.on('data', seen)
  host.once('exit', (code) => fail(new Error(`host exited with ${code}: ${text}`)))
})

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
})
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  const shot = async (name) => {
    await page.waitForTimeout(800) // charts and images settle
    await page.screenshot({ path: join(out, name) })
    console.log(`wrote ${join(out, name)}`)
  }
  await page.goto(url)
  await page.goto(`${url.split('#')[0]}#/run/${args.run}`)
  await page.getByTestId('sample-sheet').waitFor({ timeout: 60_000 })
  await shot('run.png')

  // Runs evaluated before sample health existed have no grid to show.
  if (await page.getByTestId('health-grid').isVisible()) {
    await page
      .getByRole('button', { name: /show its nearest training images/ })
      .nth(9)
      .click()
    await page.getByTestId('nearest-real').waitFor({ timeout: 60_000 })
    await page.getByRole('heading', { name: /Sample health/ }).evaluate((h) => h.scrollIntoView())
    await shot('health.png')
  } else console.log('no sample-health report in this run: health.png not taken')

  await page.getByRole('heading', { name: 'Samples' }).evaluate((h) => h.scrollIntoView())
  await page.getByTestId('sample-sheet').click({ position: { x: 100, y: 100 } })
  await page.getByTestId('zoomed-sample').click({ position: { x: 100, y: 120 } })
  await page.getByTestId('attention-heatmap').waitFor({ timeout: 300_000 })
  await shot('attention.png')

  await page.goto(`${url.split('#')[0]}#/export/${args.run}`)
  await page.getByTestId('sheet-preview').waitFor({ timeout: 120_000 })
  await shot('export.png')

  await page.goto(`${url.split('#')[0]}#/new`)
  await page.getByRole('button', { name: 'Use the demo dataset' }).click()
  await page.getByTestId('dataset-report').getByText('ready to train').waitFor({ timeout: 120_000 })
  await shot('new-run.png')
} finally {
  await browser.close()
  host.kill('SIGTERM')
}
console.log(
  execFileSync(process.execPath, [cli, 'export', args.run, '--out', join(out, 'sheet-timeline.png'), '--sheet', 'timeline', '--data-dir', dataDir])
    .toString()
    .trim(),
)
