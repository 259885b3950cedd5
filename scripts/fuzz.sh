#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for SECONDS each (default 30) with libFuzzer, prints the
# inputs each one ran, and exits non-zero when any target crashed (the input that did it is
# saved under fuzz/artifacts/TARGET/). Needs the nightly toolchain and cargo-fuzz
# (`rustup toolchain install nightly && cargo install cargo-fuzz --locked`).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# New inputs go to fuzz/work/TARGET/ (not committed); the committed seeds in
# fuzz/corpus/TARGET/ are only read. Extra libFuzzer flags can be given in ZIPP_FUZZ_FLAGS.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir fuzz)
fi

# Build every target in one cargo call, so that the timed runs below fuzz and do not compile.
cargo +nightly fuzz build --fuzz-dir fuzz

failed=()
printf '%-16s %12s %10s  %s\n' target inputs "inputs/s" result
for t in "${targets[@]}"; do
    mkdir -p "$PWD/fuzz/work/$t" "$PWD/fuzz/corpus/$t"
    log="$PWD/fuzz/work/$t.log"
    start=$SECONDS
    set +e
    # shellcheck disable=SC2086
    cargo +nightly fuzz run --fuzz-dir fuzz "$t" "$PWD/fuzz/work/$t" "$PWD/fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=20 \
        ${ZIPP_FUZZ_FLAGS:-} >"$log" 2>&1
    rc=$?
    set -e
    elapsed=$((SECONDS - start))
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -n 1)
    runs=${runs:-0}
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        result="CRASHED (exit $rc; see $log and fuzz/artifacts/$t/)"
        failed+=("$t")
    fi
    printf '%-16s %12s %10s  %s\n' "$t" "$runs" "$((runs / (elapsed > 0 ? elapsed : 1)))" "$result"
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: ${#failed[@]} of ${#targets[@]} targets crashed: ${failed[*]}" >&2
    for t in "${failed[@]}"; do
        grep -m 5 -E 'panicked|ERROR|SUMMARY|deadly signal' "fuzz/work/$t.log" >&2 || true
    done
    exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, no crash"
