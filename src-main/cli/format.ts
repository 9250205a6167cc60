// Plain-text rendering of CLI output: tables people can read in a terminal.
import { formatBytes, formatDuration } from '../../src-shared/format'
import { formatBest, formatBestShort } from '../../src-shared/metrics'
import { runStatusLabel, type RunSummary } from '../../src-shared/runs'
import type { RunDetail } from '../../src-shared/contract'

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

export function formatRunsTable(runs: RunSummary[]): string {
  if (runs.length === 0) return 'No runs yet. Start one with `sagan-studio train --data DIR` or in the studio.'
  return formatTable(
    ['ID', 'NAME', 'STATUS', 'DATASET', 'STEPS', 'BEST (METRIC @ STEP)', 'DURATION', 'DISK', 'CREATED'],
    runs.map((r) => [
      r.id,
      r.name,
      r.trainedElsewhere ? `${runStatusLabel(r)} (pid ${r.trainedElsewhere.pid})` : runStatusLabel(r),
      r.datasetName,
      `${r.step}/${r.targetSteps}`,
      r.best === null ? '-' : formatBestShort(r.best),
      formatDuration(r.durationMs),
      formatBytes(r.diskBytes),
      new Date(r.createdAt).toISOString().slice(0, 16).replace('T', ' '),
    ]),
  )
}

export function formatRunDetail(run: RunDetail): string {
  const rows: [string, string][] = [
    ['id', run.id],
    ['name', run.name],
    ['status', statusLine(run)],
    ['dataset', `${run.datasetName}  ${run.datasetPath}`],
    ['preset', `${run.preset} / ${run.ablation}`],
    ['steps', `${run.step} of ${run.targetSteps}`],
    ['best', run.best === null ? '- (no evaluation yet)' : formatBest(run.best, 3)],
    ['duration', formatDuration(run.durationMs)],
    ['disk', formatBytes(run.diskBytes)],
    ['backend', run.backend ?? '-'],
    ['created', new Date(run.createdAt).toISOString()],
    ['notes', run.notes || '-'],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  return [...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`), '', 'config:', JSON.stringify(run.config, null, 2)].join('\n')
}

function statusLine(run: RunSummary): string {
  if (run.trainedElsewhere) return `${runStatusLabel(run)} (pid ${run.trainedElsewhere.pid} on ${run.trainedElsewhere.hostname})`
  return run.statusReason ? `${runStatusLabel(run)} (${run.statusReason})` : runStatusLabel(run)
}
