#!/usr/bin/env bash
# CMMD of libzipp against numpy's float64 formula on the same 10,000 x 10,000 embeddings of
# dimension 768 (seeded), same threads, one run. usage: benches/cmmd.sh [N] [DIM] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}; dim=${2:-768}; threads=${3:-2}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cargo bench --bench cmmd --no-run 2>/dev/null
exe=$(ls -t target/release/deps/cmmd-* | grep -v '\.d$' | head -n 1)
OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads \
    python3 benches/cmmd_baseline.py "$work" "$n" "$dim"
RAYON_NUM_THREADS=$threads "$exe" "$work/x.f32" "$work/y.f32" "$dim"
