// What the sample-health checks store per evaluation: the fixed-noise grid with its report, and
// every grid sample's nearest real training images. One place knows these two tables.
import type { NearestRealView, SampleHealth } from '../../src-shared/sample-health'
import type { Db } from './database'

export interface NeighbourRow {
  sample: number
  rank: number
  realIndex: number
  classIndex: number | null
  distance: number
  /** The training image, as PNG. */
  png: Uint8Array
}

export class HealthStore {
  constructor(private readonly db: Db) {}

  /** One evaluation's report, grid and neighbours, in one transaction (a repeated step replaces them). */
  save(runId: string, report: SampleHealth, gridPng: Uint8Array, neighbours: NeighbourRow[]): void {
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO nearest_real (run_id, step, sample, rank, real_index, class_index, distance, png)
       VALUES (@runId, @step, @sample, @rank, @realIndex, @classIndex, @distance, @png)`,
    )
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM nearest_real WHERE run_id = ? AND step = ?').run(runId, report.step)
      this.db
        .prepare('INSERT OR REPLACE INTO sample_health (run_id, step, report_json, grid_png) VALUES (?, ?, ?, ?)')
        .run(runId, report.step, JSON.stringify(report), Buffer.from(gridPng))
      for (const n of neighbours) insert.run({ runId, step: report.step, ...n, png: Buffer.from(n.png) })
    })()
  }

  /** Every evaluation's report, oldest first. */
  reports(runId: string): SampleHealth[] {
    const rows = this.db.prepare('SELECT report_json FROM sample_health WHERE run_id = ? ORDER BY step').pluck().all(runId) as string[]
    return rows.map((r) => JSON.parse(r) as SampleHealth)
  }

  gridPng(runId: string, step: number): Uint8Array | undefined {
    const png = this.db.prepare('SELECT grid_png FROM sample_health WHERE run_id = ? AND step = ?').pluck().get(runId, step) as Buffer | undefined
    return png ? new Uint8Array(png) : undefined
  }

  /** A grid sample's nearest real images; undefined when that evaluation or sample has none. */
  nearest(runId: string, step: number, sample: number): NearestRealView | undefined {
    const json = this.db.prepare('SELECT report_json FROM sample_health WHERE run_id = ? AND step = ?').pluck().get(runId, step) as string | undefined
    if (!json) return undefined
    const report = JSON.parse(json) as SampleHealth
    const rows = this.db
      .prepare('SELECT rank, real_index, class_index, distance, png FROM nearest_real WHERE run_id = ? AND step = ? AND sample = ? ORDER BY rank')
      .all(runId, step, sample) as { rank: number; real_index: number; class_index: number | null; distance: number; png: Buffer }[]
    if (rows.length === 0) return undefined
    const conditional = rows[0].class_index !== null
    return {
      step,
      sample,
      classIndex: conditional ? Math.floor(sample / report.grid.columns) : null,
      extractor: report.extractor,
      nReal: report.nReal,
      realMedianNearest: report.memorisation.realMedianNearest,
      neighbours: rows.map((r) => ({ rank: r.rank, distance: r.distance, realIndex: r.real_index, classIndex: r.class_index, png: new Uint8Array(r.png) })),
    }
  }
}
