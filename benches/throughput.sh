#!/usr/bin/env bash
# Batch rewriting against OpenAI-compatible servers: rewrites per second of 20 prompts with
# `zipp rewrite --jobs N` for N = 1, 2, 4, 8, against
#   py1      one llama-cpp-python server (python3 -m llama_cpp.server), THREADS threads;
#   py2      two of them, THREADS/2 threads each, behind two --base-url flags (base_urls);
#   slots    llama.cpp's own llama-server with --parallel 4, THREADS threads (needs LLAMA_SERVER);
#   slots2   two llama-servers with --parallel 2 and THREADS/2 threads each (needs LLAMA_SERVER).
# The default model, the `taste` method (the one this small model gets locally), seed 1, each
# setup warmed with one batch first (so that every server and slot has the persona's prefix in its
# prompt cache).
#
# usage: benches/throughput.sh [SETUP...]        (default: py1 py2, and slots slots2 with LLAMA_SERVER)
# env:   THREADS (2), PROMPTS (20), PERSONA (examples/personas/priya-bengaluru.json),
#        LLAMA_SERVER (path of llama.cpp's llama-server binary), ZIPP (the zipp binary; default:
#        built here with cargo build --release)
# Needs: pip install "llama-cpp-python[server]", the default model (python3 scripts/fetch_model.py).
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${THREADS:-2}
n_prompts=${PROMPTS:-20}
persona=${PERSONA:-examples/personas/priya-bengaluru.json}
half=$(( threads > 1 ? threads / 2 : 1 ))
if [ -z "${ZIPP:-}" ]; then
    cargo build --release --bin zipp >/dev/null 2>&1
    ZIPP=${CARGO_TARGET_DIR:-target}/release/zipp
fi
model=$("$ZIPP" models path)
setups=("$@")
if [ ${#setups[@]} -eq 0 ]; then
    setups=(py1 py2)
    [ -n "${LLAMA_SERVER:-}" ] && setups+=(slots slots2)
fi

work=$(mktemp -d)
pids=()
stop_servers() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
}
trap 'stop_servers; rm -rf "$work"' EXIT

# Everyday prompts, PROMPTS of them (repeated with a number when more are asked for).
python3 - "$n_prompts" > "$work/prompts.txt" <<'PY'
import sys
base = ["a quiet street after the rain", "a cat sleeping on a windowsill",
        "my grandmother cooking in her kitchen", "a bowl of noodle soup",
        "children playing football in a park", "a lighthouse on a cliff at dawn",
        "an old bicycle leaning against a wall", "a birthday cake with candles",
        "a busy market in the town square", "a dog running on the beach",
        "a cup of coffee on a wooden table", "a train crossing a bridge",
        "a wedding party dancing at night", "fresh bread on a bakery shelf",
        "a fisherman mending nets", "a library with tall windows",
        "a horse standing in a meadow", "a rooftop garden in the city",
        "two friends laughing at a cafe", "a mountain lake at sunrise"]
n = int(sys.argv[1])
for i in range(n):
    p = base[i % len(base)]
    print(p if i < len(base) else f"{p}, picture {i // len(base) + 1}")
PY

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_ready() { # url
    for _ in $(seq 600); do
        if curl -sf "$1/v1/models" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "server $1 did not start" >&2
    return 1
}

# Each start_* sets `url` (not through $(...): the server must be a child of this shell).
start_py() { # threads
    local port; port=$(free_port)
    python3 -m llama_cpp.server --model "$model" --n_threads "$1" --n_threads_batch "$1" \
        --n_ctx 4096 --host 127.0.0.1 --port "$port" > "$work/server-$port.log" 2>&1 &
    pids+=($!)
    url="http://127.0.0.1:$port"
}

start_slots() { # threads parallel
    local port; port=$(free_port)
    "$LLAMA_SERVER" --model "$model" --threads "$1" --threads-batch "$1" --parallel "$2" \
        --ctx-size $(( 2048 * $2 )) --host 127.0.0.1 --port "$port" > "$work/server-$port.log" 2>&1 &
    pids+=($!)
    url="http://127.0.0.1:$port"
}

# One batch; prints the seconds it took. Args: jobs, prompt file, base URLs...
batch() {
    local jobs=$1 file=$2; shift 2
    local flags=()
    for u in "$@"; do flags+=(--base-url "$u/v1"); done
    local t0 t1
    t0=$(date +%s.%N)
    "$ZIPP" rewrite --persona "$persona" --backend openai "${flags[@]}" --model default \
        --method taste --seed 1 --timeout 300 --jobs "$jobs" --json < "$file" > "$work/out.jsonl"
    t1=$(date +%s.%N)
    [ "$(wc -l < "$work/out.jsonl")" -eq "$(wc -l < "$file")" ] || { echo "missing results" >&2; exit 1; }
    echo "$t1 - $t0" | bc -l
}

printf '%-8s %-58s' setup "servers"
for j in 1 2 4 8; do printf ' %10s' "jobs $j"; done
printf '   (rewrites/s, %d prompts, %d threads in all)\n' "$n_prompts" "$threads"
for setup in "${setups[@]}"; do
    case $setup in
        py1) start_py "$threads"; urls=("$url"); what="llama_cpp.server x1, $threads threads" ;;
        py2) start_py "$half"; urls=("$url"); start_py "$half"; urls+=("$url")
             what="llama_cpp.server x2, $half thread(s) each, base_urls" ;;
        slots) start_slots "$threads" 4; urls=("$url"); what="llama-server --parallel 4, $threads threads" ;;
        slots2) start_slots "$half" 2; urls=("$url"); start_slots "$half" 2; urls+=("$url")
                what="llama-server --parallel 2 x2, $half thread(s) each, base_urls" ;;
        *) echo "unknown setup $setup" >&2; exit 2 ;;
    esac
    for u in "${urls[@]}"; do wait_ready "$u"; done
    head -n 8 "$work/prompts.txt" > "$work/warm.txt"
    batch 8 "$work/warm.txt" "${urls[@]}" > /dev/null
    printf '%-8s %-58s' "$setup" "$what"
    for j in 1 2 4 8; do
        secs=$(batch "$j" "$work/prompts.txt" "${urls[@]}")
        printf ' %10.2f' "$(echo "$n_prompts / $secs" | bc -l)"
    done
    echo
    stop_servers
done
