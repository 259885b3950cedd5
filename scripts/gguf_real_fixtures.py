#!/usr/bin/env python3
"""Reference next-token choices of llama.cpp on the two real test models, for tests/gguf_model.rs.

For each model: a prompt, llama.cpp's 24-token greedy continuation, then one batch evaluation of
prompt + continuation recording, at every position, llama.cpp's top token and the margin to the
second. The test asks libzipp to agree on the top token wherever the margin is clear (quantized
kernels of the two engines round differently, so near-ties may go either way).

llama.cpp runs with an f32 KV cache and without flash attention, its most exact settings.

usage: python3 scripts/gguf_real_fixtures.py QWEN.gguf GEMMA.gguf
Needs llama-cpp-python 0.3.36 (built from source, see scripts/tokenizer_fixtures.py) and numpy.
"""
import json
import sys

import llama_cpp
import numpy as np
from llama_cpp import Llama

PROMPTS = {
    "qwen": "<|im_start|>system\nYou rewrite image prompts for one person's taste.<|im_end|>\n"
    "<|im_start|>user\nRewrite for a watercolor lover who grew up by the sea: a lighthouse at dawn<|im_end|>\n"
    "<|im_start|>assistant\n",
    "gemma": "The capital of France is Paris. The capital of Japan is",
}


def reference(path, prompt, n_gen=24):
    llm = Llama(model_path=path, n_ctx=512, n_threads=2, verbose=False, logits_all=True,
                flash_attn=False, type_k=0, type_v=0)
    n_vocab = llm.n_vocab()
    ids = llm.tokenize(prompt.encode(), add_bos=True, special=True)

    def logits(i):
        return np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, i), shape=(n_vocab,)).copy()

    llm.reset()
    llm.eval(ids)
    out = [int(np.argmax(logits(-1)))]
    for _ in range(n_gen - 1):
        llm.eval([out[-1]])
        out.append(int(np.argmax(logits(-1))))
    seq = ids + out
    llm.reset()
    llm.eval(seq)
    top, margin = [], []
    for i in range(len(seq)):
        row = logits(i)
        a, b = np.argsort(-row)[:2]
        top.append(int(a))
        margin.append(round(float(row[a] - row[b]), 4))
    return {"prompt_ids": ids, "generated": out, "top": top, "margin": margin,
            "text": llm.detokenize(out).decode("utf-8", "replace")}


def main():
    qwen, gemma = sys.argv[1], sys.argv[2]
    doc = {"generator": "llama-cpp-python 0.3.36", "settings": "f32 KV cache, no flash attention, 2 threads",
           "qwen": reference(qwen, PROMPTS["qwen"]), "gemma": reference(gemma, PROMPTS["gemma"])}
    with open("tests/fixtures/gguf/real-models.json", "w") as f:
        json.dump(doc, f, indent=1)
    for k in ("qwen", "gemma"):
        print(k, repr(doc[k]["text"]))


if __name__ == "__main__":
    main()
