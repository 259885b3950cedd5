#!/usr/bin/env python3
"""The llama.cpp side of benches/llm.sh: greedy decoding through llama-cpp-python, printing the
same PROMPT_IDS / GEN_IDS / TIMING lines as the libzipp side.

usage: llamacpp_peer.py MODEL.gguf PROMPT_FILE N_GEN THREADS
llama-cpp-python builds from source (see scripts/tokenizer_fixtures.py for the flags).
"""
import json
import sys
import time

import llama_cpp
import numpy as np
from llama_cpp import Llama

model, prompt_file, n_gen, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
prompt = open(prompt_file).read()
t0 = time.perf_counter()
llm = Llama(model_path=model, n_ctx=2048, n_batch=512, n_threads=threads, n_threads_batch=threads, verbose=False)
t_load = time.perf_counter() - t0
ids = llm.tokenize(prompt.encode(), add_bos=True, special=True)
n_vocab = llm.n_vocab()


def next_token():
    row = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
    return int(np.argmax(np.ctypeslib.as_array(row, shape=(n_vocab,))))


tp = time.perf_counter()
llm.eval(ids)
out = [next_token()]
t_prompt = time.perf_counter() - tp
tg = time.perf_counter()
for _ in range(n_gen - 1):
    llm.eval([out[-1]])
    out.append(next_token())
t_gen = time.perf_counter() - tg
print("PROMPT_IDS", ids)
print("GEN_IDS", out)
print("GEN_TEXT", json.dumps(llm.detokenize(out).decode("utf-8", "replace")))
print(f"TIMING load_s={t_load:.3f} prompt_tokens={len(ids)} prompt_tok_per_s={len(ids) / t_prompt:.1f} "
      f"gen_tokens={len(out)} gen_tok_per_s={(len(out) - 1) / t_gen:.1f}")
