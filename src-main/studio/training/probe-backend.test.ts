import { expect, test } from 'vitest'
import { probeBackendInWorker } from './probe-backend'

// The real bundled training worker (npm run build first), as the About page and the New run form ask it.
test('the backend probe runs in a training worker and reports what auto gets there, with every skip explained', async () => {
  const report = await probeBackendInWorker()
  expect(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']).toContain(report.name)
  for (const s of report.skipped) expect(s.reason.length).toBeGreaterThan(0)
  const webgpu = report.skipped.find((s) => s.name === 'webgpu')
  if (report.name === 'webgpu') expect(report.adapter?.software).toBe(false)
  // The worker may load Dawn: a webgpu skip is about the adapter, never "only the training worker loads webgpu".
  else expect(webgpu?.reason).toMatch(/software one|no WebGPU adapter|could not|failed|returned false/)
}, 60_000)
