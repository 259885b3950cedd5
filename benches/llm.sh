#!/usr/bin/env bash
# libzipp's gguf backend against llama.cpp (llama-cpp-python) on the same GGUF files, prompt and
# thread count, greedy, in one run: decode tokens/s, prompt tokens/s, peak RSS, as ratios.
# Then the end-to-end rewrite time of the CLI for a persona with 3 history examples.
#
# usage: benches/llm.sh [THREADS] [N_GEN] [ROUNDS]
# Needs: the models (python3 scripts/fetch_model.py all), llama-cpp-python, /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
n_gen=${2:-64}
rounds=${3:-3}
models=$(python3 scripts/fetch_model.py all)
qwen=$(echo "$models" | sed -n 1p)
gemma=$(echo "$models" | sed -n 2p)

cargo bench --bench llm --no-run 2>/dev/null
cargo build --release --bin zipp 2>/dev/null
exe=$(ls -t target/release/deps/llm-* | grep -v '\.d$' | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A rewrite-sized prompt: system instruction, persona, examples (about 230 tokens).
cat > "$work/qwen.txt" <<'PROMPT'
<|im_start|>system
You are Priya, a 29-year-old UX designer in Bengaluru. You love monsoon evenings, filter coffee, street food in VV Puram, Carnatic music and the saturated colours of old Tamil film posters. You dislike sterile minimalism and beige interiors. Rewrite the user's image prompt the way you would want the picture: keep every subject word, add the light, colour, composition and mood you like, one line, at most 60 words, no preamble.<|im_end|>
<|im_start|>user
a bicycle leaning on a wall<|im_end|>
<|im_start|>assistant
a bicycle leaning on a sun-faded turquoise wall in a Basavanagudi lane, marigold petals on the ground, warm late-afternoon light, film-poster colours, gentle grain<|im_end|>
<|im_start|>user
a rainy street at night with people under umbrellas near a small tea stall<|im_end|>
<|im_start|>assistant
PROMPT
cat > "$work/gemma.txt" <<'PROMPT'
The monsoon arrives in Bengaluru in early June. The streets fill with the smell of wet earth and frying bajji, auto-rickshaws splash through puddles, and the old film posters on the walls of VV Puram glow in saturated reds and yellows under the streetlights. Priya walks home from the studio
PROMPT

run() { # name command...
    local name=$1; shift
    /usr/bin/time -v "$@" > "$work/$name.out" 2> "$work/$name.err"
    local timing rss
    timing=$(grep '^TIMING' "$work/$name.out")
    rss=$(grep 'Maximum resident' "$work/$name.err" | awk '{print $NF}')
    echo "$timing rss_kb=$rss"
}

field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }

printf '%-7s %-9s %11s %11s %9s   (%d threads, %d tokens, median of %d rounds)\n' model engine "decode t/s" "prompt t/s" "RSS MB" "$threads" "$n_gen" "$rounds"
for m in qwen gemma; do
    path=$qwen; [ "$m" = gemma ] && path=$gemma
    for engine in llama.cpp libzipp; do
        for r in $(seq "$rounds"); do
            if [ "$engine" = llama.cpp ]; then
                run "$m-$engine-$r" python3 benches/llamacpp_peer.py "$path" "$work/$m.txt" "$n_gen" "$threads"
            else
                CANDLE_NUM_THREADS=$threads run "$m-$engine-$r" "$exe" "$path" "$work/$m.txt" "$n_gen" "$threads"
            fi
        done > "$work/$m-$engine.lines"
        dec=$(while read -r l; do field "$l" gen_tok_per_s; done < "$work/$m-$engine.lines" | sort -g | sed -n "$(( (rounds + 1) / 2 ))p")
        pro=$(while read -r l; do field "$l" prompt_tok_per_s; done < "$work/$m-$engine.lines" | sort -g | sed -n "$(( (rounds + 1) / 2 ))p")
        rss=$(while read -r l; do field "$l" rss_kb; done < "$work/$m-$engine.lines" | sort -g | sed -n "$(( (rounds + 1) / 2 ))p")
        printf '%-7s %-9s %11s %11s %9.0f\n' "$m" "$engine" "$dec" "$pro" "$(echo "$rss / 1024" | bc -l)"
        echo "$dec $pro $rss" > "$work/$m-$engine.med"
    done
    read -r ld lp lr < "$work/$m-llama.cpp.med"
    read -r zd zp zr < "$work/$m-libzipp.med"
    printf '%-7s %-9s %10.2fx %10.2fx %8.2fx\n' "$m" "ratio" "$(echo "$zd / $ld" | bc -l)" "$(echo "$zp / $lp" | bc -l)" "$(echo "$zr / $lr" | bc -l)"
    if ! diff <(grep '^GEN_IDS' "$work/$m-llama.cpp-1.out") <(grep '^GEN_IDS' "$work/$m-libzipp-1.out") > /dev/null; then
        echo "        (greedy tokens differ from llama.cpp somewhere in the $n_gen: quantized kernels round differently)"
    fi
done

echo
echo "end-to-end rewrite (CLI, Qwen default model, persona with 3 history examples, 12-word prompt):"
for r in $(seq "$rounds"); do
    ZIPP_MODEL=$qwen target/release/zipp rewrite --threads "$threads" --json --seed "$r" \
        --persona examples/personas/priya-bengaluru.json \
        "a rainy street at night with people under umbrellas near a tea stall" \
        | python3 -c 'import json, sys
r = json.load(sys.stdin)
print("  %.2f s  prompt %d tokens, %d generated: %s" % (r["latency_ms"] / 1000, r["tokens"]["prompt"], r["tokens"]["completion"], r["rewrite"]))'
done
