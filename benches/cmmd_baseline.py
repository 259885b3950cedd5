#!/usr/bin/env python3
"""CMMD with numpy (float64, the reference formula), timed, on seeded random embeddings that it
also writes for `cargo bench --bench cmmd`. Run both through benches/cmmd.sh.

usage: cmmd_baseline.py OUT_DIR N DIM
"""
import sys
import time

import numpy as np

out, n, dim = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(7)
x = rng.standard_normal((n, dim), dtype=np.float32)
x /= np.linalg.norm(x, axis=1, keepdims=True)
y = (rng.standard_normal((n, dim), dtype=np.float32) * 0.9 + 0.1)
y /= np.linalg.norm(y, axis=1, keepdims=True)
x.astype("<f4").tofile(f"{out}/x.f32")
y.astype("<f4").tofile(f"{out}/y.f32")

t = time.perf_counter()
x64, y64 = x.astype(np.float64), y.astype(np.float64)
gamma = 1 / (2 * 10.0**2)
xx, yy, xy = x64 @ x64.T, y64 @ y64.T, x64 @ y64.T
xn, yn = np.diag(xx), np.diag(yy)
k_xx = np.mean(np.exp(-gamma * (-2 * xx + xn[:, None] + xn[None, :])))
k_yy = np.mean(np.exp(-gamma * (-2 * yy + yn[:, None] + yn[None, :])))
k_xy = np.mean(np.exp(-gamma * (-2 * xy + xn[:, None] + yn[None, :])))
d = 1000 * (k_xx + k_yy - 2 * k_xy)
print(f"numpy cmmd={d:.12f} seconds={time.perf_counter() - t:.2f} rows={n}x{n} dim={dim}")
