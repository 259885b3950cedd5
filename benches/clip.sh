#!/usr/bin/env bash
# CLIP image embeddings per second: libzipp against transformers on CPU, the same random-weight
# checkpoints (a tiny one and a ViT-B/32-sized one) and the same preprocessed pixels, same
# threads, one run. Needs torch and transformers for the peer (which also writes the models).
# usage: benches/clip.sh [THREADS] [IMAGES] [WORKDIR] [MODELS, default "tiny b32"]
# (the tiny model runs a batch in well under a millisecond: give it thousands of images, e.g.
#  benches/clip.sh 2 4096 /tmp/zipp-clip-tiny tiny)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; images=${2:-64}; work=${3:-/tmp/zipp-clip-bench}; models=${4:-tiny b32}
cargo bench --bench clip --no-run 2>/dev/null
exe=$(ls -t target/release/deps/clip-* | grep -v '\.d$' | head -n 1)
OMP_NUM_THREADS=$threads python3 benches/clip_peer.py --out "$work" --threads "$threads" --images "$images" \
    --models "${models// /,}" | grep RESULT
for kind in $models; do
    RAYON_NUM_THREADS=$threads "$exe" "$work/$kind" 16 3 | grep -E 'RESULT|max'
done
