#!/usr/bin/env bash
# Ingest throughput of `zipp mine ingest` against the Python baseline (zstandard + orjson), on the
# same synthetic month of Reddit, each pinned to one core; then peak memory on a 10x larger dump.
#
#   pip install zstandard orjson
#   bash benches/ingest.sh [WORKDIR]        (default /tmp/zipp-ingest-bench; needs ~6 GB free)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/zipp-ingest-bench}
cargo build --release --quiet
zipp=target/release/zipp
mkdir -p "$work"

[ -d "$work/x1/reddit" ] || $zipp mine synth --out "$work/x1" >/dev/null
dumps=("$work"/x1/reddit/*.zst)

echo "== one core, same files: ${dumps[*]}"
for run in 1 2 3; do
    start=$(date +%s.%N)
    taskset -c 0 $zipp mine ingest -i "${dumps[@]}" -o "$work/x1.graph" --quiet --json > "$work/report.json"
    end=$(date +%s.%N)
    python3 - "$work/report.json" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); secs = float(sys.argv[3]) - float(sys.argv[2])
print(json.dumps({"impl": "zipp mine ingest", "bytes": r["bytes"], "lines": r["lines"], "kept": r["kept"],
                  "seconds": round(secs, 3), "mb_per_s": round(r["bytes"] / 1e6 / secs, 1),
                  "lines_per_s": round(r["lines"] / secs)}))
PY
    taskset -c 0 python3 benches/ingest_baseline.py "${dumps[@]}"
done

echo "== peak memory: 1x and 10x interactions over the same 20,000 users and 2,000 communities"
[ -d "$work/x10/reddit" ] || $zipp mine synth --out "$work/x10" --interactions 4000000 >/dev/null
for size in x1 x10; do
    /usr/bin/time -f "$size: peak RSS %M KiB, %e s" $zipp mine ingest -i "$work/$size/reddit" -o "$work/$size.graph" --quiet
    ls -l "$work/$size.graph" | awk -v s="$size" '{printf "%s: graph file %.1f MB\n", s, $5/1e6}'
    du -sb "$work/$size/reddit" | awk -v s="$size" '{printf "%s: dump on disk %.1f MB\n", s, $1/1e6}'
done
