// `train` and `resume`: drive a run headless through the same door the UI
// uses, with a live progress line (or JSON lines) until it ends.
import type { RunSummary } from '../../src-shared/runs'
import type { Studio } from '../studio/open-studio'
import { ProgressLine } from './progress-line'

export interface FollowOptions {
  json: boolean
}

/** Follows a live run until it ends; Ctrl+C stops it cleanly (final checkpoint). Returns the exit code. */
export async function followRun(studio: Studio, run: RunSummary, opts: FollowOptions): Promise<number> {
  const line = new ProgressLine()
  const emit = (event: string, data: object) => console.log(JSON.stringify({ event, ...data }))
  const unsubscribe = studio.events.subscribe((name, args) => {
    const [payload] = args as [{ runId?: string; id?: string }]
    if ((payload.runId ?? payload.id) !== run.id) return
    if (opts.json) return emit(name, payload)
    if (name === 'runProgress') line.update(args[0] as Parameters<ProgressLine['update']>[0])
    if (name === 'checkpointSaved') line.note(`checkpoint saved at step ${(payload as { step: number }).step}`)
    if (name === 'runUpdated') {
      const r = payload as RunSummary
      if (r.status !== 'running') line.note(`run ${r.id}: ${r.status}${r.statusReason ? ` — ${r.statusReason}` : ''}`)
    }
  })
  let interrupted = false
  const onSigint = () => {
    if (interrupted) process.exit(130)
    interrupted = true
    line.note('Stopping after this step and saving a checkpoint… (Ctrl+C again to abort)')
    studio.calls.stopRun(run.id).catch(() => undefined)
  }
  process.on('SIGINT', onSigint)
  if (!opts.json) line.note(`run ${run.id} "${run.name}" started (data: ${studio.dataDir})`)
  const final = await studio.calls.waitForRun(run.id)
  process.off('SIGINT', onSigint)
  unsubscribe()
  line.end()
  const status = final.status
  if (opts.json) emit('finished', { runId: run.id, status, step: final.step })
  else
    console.log(
      `${final.status}: ${final.step}/${final.targetSteps} steps in run ${run.id}. See it with \`sagan-studio runs show ${run.id}\` or in the studio.`,
    )
  return status === 'completed' || status === 'stopped' ? 0 : 1
}
