// One self-rewriting terminal line for a training run: bar, step, losses,
// gamma, speed and ETA. Falls back to a line per update when not a TTY.
import { formatDuration } from '../../src-shared/format'
import type { RunProgress } from '../../src-shared/training'

const WIDTH = 24

function formatProgress(p: RunProgress): string {
  const frac = Math.min(1, p.step / Math.max(1, p.targetStep))
  const filled = Math.round(frac * WIDTH)
  const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`
  const gamma = p.gammas.length ? ` · γ ${p.gammas.map((g) => g.value.toFixed(3)).join('/')}` : ''
  return (
    `${bar} ${String(Math.round(frac * 100)).padStart(3)}% ${p.step}/${p.targetStep}` +
    ` · D ${p.dLossReal.toFixed(3)}/${p.dLossFake.toFixed(3)} · G ${p.gLoss.toFixed(3)}${gamma}` +
    ` · ${p.imagesPerSecond.toFixed(1)} img/s · ETA ${formatDuration(p.etaSeconds * 1000)} · ${p.backend}`
  )
}

export class ProgressLine {
  private last = ''

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(p: RunProgress): void {
    this.last = formatProgress(p)
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${this.last.slice(0, (this.stream.columns ?? 200) - 1)}`)
    else this.stream.write(`${this.last}\n`)
  }

  /** Prints a message on its own line without losing the bar. */
  note(message: string): void {
    if (this.stream.isTTY && this.last) this.stream.write(`\r\x1b[2K${message}\n${this.last.slice(0, (this.stream.columns ?? 200) - 1)}`)
    else this.stream.write(`${message}\n`)
  }

  end(): void {
    if (this.stream.isTTY && this.last) this.stream.write('\n')
  }
}
