#!/usr/bin/env bash
# GATv2 training epoch time and peak memory: libzipp against PyTorch Geometric's GATv2Conv on the
# same synthetic bipartite graph (20,000 users x 2,000 items x 400,000 edges by default), same
# model, same threads, one run. Needs torch and torch_geometric for the peer.
# usage: benches/gatv2.sh [THREADS] [EPOCHS] [SELF_LOOPS] [extra peer args...]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; epochs=${2:-5}; loops=${3:-1}; shift $(( $# < 3 ? $# : 3 ))
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cargo bench --bench gatv2 --no-run 2>/dev/null
exe=$(ls -t target/release/deps/gatv2-* | grep -v '\.d$' | head -n 1)
OMP_NUM_THREADS=$threads python3 benches/gatv2_peer.py --threads "$threads" --epochs "$epochs" \
    --self-loops "$loops" --edges-out "$work/edges.bin" "$@" | grep -E '^(graph|torch|RESULT)'
RAYON_NUM_THREADS=$threads "$exe" "$work/edges.bin" "$loops" 1 "$epochs" | grep -E '^(graph|RESULT)'
