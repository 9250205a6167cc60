import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FeatureMatrix } from '../feature-matrix'

/**
 * An independent FID implementation in Python/numpy, used to cross-check ours in tests. Not a
 * runtime dependency: the studio never needs Python.
 */
type NumpyProbe = { ok: true; python: string; method: 'scipy.linalg.sqrtm' | 'numpy.linalg.eigh' } | { ok: false; reason: string }

// `python3` may be a pyenv shim without numpy; Debian's python3-numpy lives under /usr/bin/python3.
const CANDIDATES = ['python3', '/usr/bin/python3']

export function probeNumpy(): NumpyProbe {
  const found: { python: string; scipy: boolean }[] = []
  for (const python of CANDIDATES) {
    const r = spawnSync(python, ['-c', 'import numpy\ntry:\n import scipy.linalg; print("scipy")\nexcept ImportError: print("numpy")'], { encoding: 'utf8' })
    if (r.status === 0) found.push({ python, scipy: r.stdout.trim() === 'scipy' })
  }
  const best = found.find((f) => f.scipy) ?? found[0]
  if (!best) return { ok: false, reason: `no Python with numpy found (tried ${CANDIDATES.join(', ')})` }
  return { ok: true, python: best.python, method: best.scipy ? 'scipy.linalg.sqrtm' : 'numpy.linalg.eigh' }
}

// Mirrors pytorch-fid's calculate_frechet_distance when scipy is there; otherwise the symmetric form via eigh.
const SCRIPT = `
import sys, numpy as np
def load(path, rows, cols):
    return np.fromfile(path, dtype='<f8').reshape(int(rows), int(cols))
a = load(sys.argv[1], sys.argv[2], sys.argv[3]); b = load(sys.argv[4], sys.argv[5], sys.argv[3])
mu1, mu2 = a.mean(0), b.mean(0)
c1, c2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
method = sys.argv[6]
if method == 'scipy.linalg.sqrtm':
    import scipy.linalg
    covmean = scipy.linalg.sqrtm(c1.dot(c2))
    tr = np.trace(covmean.real)
else:
    w, v = np.linalg.eigh(c1)
    s = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    tr = np.sqrt(np.clip(np.linalg.eigvalsh(s @ c2 @ s), 0, None)).sum()
print(repr(float(((mu1 - mu2) ** 2).sum() + np.trace(c1) + np.trace(c2) - 2 * tr)))
`

export function numpyFid(probe: Extract<NumpyProbe, { ok: true }>, a: FeatureMatrix, b: FeatureMatrix): number {
  const dir = mkdtempSync(join(tmpdir(), 'fid-numpy-'))
  try {
    const pa = join(dir, 'a.f64')
    const pb = join(dir, 'b.f64')
    writeFileSync(pa, Buffer.from(Float64Array.from(a.data).buffer))
    writeFileSync(pb, Buffer.from(Float64Array.from(b.data).buffer))
    const args = ['-c', SCRIPT, pa, String(a.rows), String(a.cols), pb, String(b.rows), probe.method]
    const r = spawnSync(probe.python, args, { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`numpy FID failed: ${r.stderr}`)
    return Number(r.stdout.trim())
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
