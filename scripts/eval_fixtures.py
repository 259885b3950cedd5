#!/usr/bin/env python3
"""Writes tests/fixtures/eval_parity.json: reference values for the evaluation statistics.

- CMMD: google-research's formula (cmmd/distance.py, also `clip_mmd.calculation.mmd`) on random
  float32 embeddings, in float64 with NumPy. The `clip-mmd` package itself imports torch (a 5 GB
  CUDA build here), so the fixture evaluates its exact expression with NumPy instead.
- Binomial tests: scipy.stats.binomtest(k, n, p).pvalue.
- IPF: ipfn 1.4.4 on the cross-tabulated sample (rate_tolerance=0, tight convergence); each
  sample's weight is its cell's fitted count over the cell's sample count.

    pip install numpy scipy ipfn pandas
    python3 scripts/eval_fixtures.py
"""

import json
from pathlib import Path

import numpy as np
import scipy
import scipy.stats
from ipfn import ipfn

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "eval_parity.json"
rng = np.random.default_rng(7)


def cmmd_reference(x: np.ndarray, y: np.ndarray) -> float:
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    x_sq = np.diag(x @ x.T)
    y_sq = np.diag(y @ y.T)
    gamma = 1 / (2 * 10**2)
    k_xx = np.mean(np.exp(-gamma * (-2 * (x @ x.T) + x_sq[:, None] + x_sq[None, :])))
    k_xy = np.mean(np.exp(-gamma * (-2 * (x @ y.T) + x_sq[:, None] + y_sq[None, :])))
    k_yy = np.mean(np.exp(-gamma * (-2 * (y @ y.T) + y_sq[:, None] + y_sq[None, :])))
    return float(1000 * (k_xx + k_yy - 2 * k_xy))


cmmd_cases = []
for rows_x, rows_y, dim, shift in [(40, 50, 16, 0.0), (30, 30, 8, 0.5), (25, 35, 32, 2.0)]:
    x = rng.normal(size=(rows_x, dim)).astype(np.float32)
    y = (rng.normal(size=(rows_y, dim)) + shift).astype(np.float32)
    cmmd_cases.append({"dim": dim, "x": [float(v) for v in x.ravel()], "y": [float(v) for v in y.ravel()],
                       "expected": cmmd_reference(x, y)})

binomial_cases = []
for k, n, p in [(198, 250, 0.5), (0, 10, 0.5), (3, 10, 0.5), (7, 10, 0.3), (1, 20, 0.3), (650, 1000, 0.6),
                (12, 1000, 0.01), (57, 100, 0.5), (40, 100, 0.45), (990, 1000, 0.995), (5, 5, 0.9),
                (0, 1, 0.5), (163, 250, 0.5), (145, 250, 0.5), (195, 250, 0.5), (33, 77, 0.37)]:
    binomial_cases.append({"k": k, "n": n, "p": p, "expected": float(scipy.stats.binomtest(k, n, p).pvalue)})

ages = ["18-24", "25-34", "35-44", "45-54"]
genders = ["man", "woman"]
regions = ["Eastern Asia", "Western Africa", "Southern Asia", "South America", "Northern Europe"]
samples = [[str(rng.choice(ages, p=[0.4, 0.3, 0.2, 0.1])), str(rng.choice(genders, p=[0.65, 0.35])),
            str(rng.choice(regions, p=[0.1, 0.1, 0.2, 0.2, 0.4]))] for _ in range(400)]
targets = [{"name": "age_band", "targets": {"18-24": 0.2, "25-34": 0.3, "35-44": 0.3, "45-54": 0.2}},
           {"name": "gender", "targets": {"man": 0.5, "woman": 0.5}},
           {"name": "region", "targets": {"Eastern Asia": 0.3, "Western Africa": 0.2, "Southern Asia": 0.3,
                                          "South America": 0.1, "Northern Europe": 0.1}}]
levels = [sorted(m["targets"]) for m in targets]
seed = np.zeros([len(lv) for lv in levels])
for s in samples:
    seed[tuple(levels[i].index(s[i]) for i in range(3))] += 1
n = len(samples)
aggregates = []
for i, m in enumerate(targets):
    total = sum(m["targets"].values())
    aggregates.append(np.array([m["targets"][c] / total * n for c in levels[i]]))
fitted = ipfn.ipfn(seed.copy(), aggregates, [[0], [1], [2]], convergence_rate=1e-14, max_iteration=100000,
                   rate_tolerance=0).iteration()
weights = []
for s in samples:
    cell = tuple(levels[i].index(s[i]) for i in range(3))
    weights.append(float(fitted[cell] / seed[cell]))

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({
    "generator": f"scripts/eval_fixtures.py (numpy {np.__version__}, scipy {scipy.__version__}, ipfn 1.4.4)",
    "cmmd": cmmd_cases, "binomial": binomial_cases,
    "ipf": {"samples": samples, "margins": targets, "weights": weights},
}, indent=None, separators=(",", ":")) + "\n")
print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
