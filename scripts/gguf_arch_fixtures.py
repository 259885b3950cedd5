#!/usr/bin/env python3
"""Writes tests/fixtures/gguf/<arch>-tiny.{gguf,json}: tiny random-weight GGUF models for the
architectures libzipp runs (qwen2, qwen3, llama, gemma3, phi3) and llama.cpp's logits for them.

Each model has a 320-token vocabulary, hidden size 64, 4 query heads, 2 KV heads, feed-forward
width 96, RMS eps 1e-6, context length 128 and random normal weights (fixed seeds). The fixture
feeds 20 fixed token ids (numpy default_rng(2024), in [0, 312)) at positions 0..19 (no BOS is
inserted), records llama.cpp's logits at every position and a 10-token greedy continuation.
The tokenizer (gpt2 BPE: ids 0..255 are the bytes in GPT-2's bytes_to_unicode spelling, 56 merges,
ids 312..319 control tokens, bos 313, eos 315, pad 316) only exists so that llama.cpp loads the
file.

    file              layers  matrices  tied output  notable
    qwen2-tiny.gguf   2       Q8_0      no           attn_q/k/v biases
    qwen3-tiny.gguf   2       F32       yes          key_length 32, q/k norms
    llama-tiny.gguf   2       Q8_0      no           rope.dimension_count 16
    gemma3-tiny.gguf  6       F32       yes          key_length 32, sliding_window 8
    phi3-tiny.gguf    2       F32       no           fused attn_qkv, fused ffn_up

Every 2-D tensor is stored as the architecture's matrix type, 1-D tensors (norms, biases) as F32.

JSON: {"arch", "gguf", "generator", "weights", "llama_cpp_settings", "tokens": [20 ids],
"logits": [20][320] (6 significant digits), "greedy": [10 ids], "greedy_margin": [top-1 minus
top-2 logit at each greedy step], "max_abs_diff_with_f16_kv_cache": how much llama.cpp's default
f16 KV cache would move the logits}. The logits come from one 20-token batch with an F32 KV
cache (type_k = type_v = F32), flash attention off, 2 threads, so K, V, Q and the attention
probabilities are never rounded to f16; the greedy ids from 10 further single-token evals.

Conventions of llama.cpp (the copy vendored in llama-cpp-python 0.3.36), read from its source and
confirmed by `--check`, whose NumPy forward pass reproduces llama.cpp's logits for all five files
to within 5e-5 (logit std ~1); `--variants` shows that getting any of the conventions below
wrong (except the GELU form) moves the logits by 0.39 to 4.8:

All five
  * Matrices: GGUF ne = [in, out], i.e. row-major (out, in); y = x @ W^T (+ bias).
  * RMSNorm: x / sqrt(mean(x^2) + eps) * w. No "+1" offset anywhere (the Gemma converter stores
    1 + w already).
  * Blocks are pre-norm: x += attn(attn_norm(x)); x += ffn(ffn_norm(x)); logits =
    output(output_norm(x)), where output is token_embd.weight when output.weight is absent.
  * FFN: ffn_down(act(ffn_gate(h)) * ffn_up(h)), act = SiLU except gemma3 (GELU).
  * Attention: causal softmax(q.k * scale) in f32. GQA: query head h reads KV head
    h // (n_head / n_head_kv) (heads are contiguous groups; not h % n_head_kv).
  * Head dim = attention.key_length if present, else n_embd / n_head. RoPE covers
    rope.dimension_count dims if present, else the whole head dim. Frequencies:
    theta_i = pos * base^(-2i / n_rot), i = 0 .. n_rot/2 - 1; a rotated pair (x0, x1) becomes
    (x0 cos - x1 sin, x0 sin + x1 cos).
      NORM (llama): pair i is (x[2i], x[2i+1]) (the llama converter permutes the Q/K rows of HF
        checkpoints so that this equals HF's rotate_half on the original weights).
      NEOX (qwen2, qwen3, gemma3, phi3): pair i is (x[i], x[i + n_rot/2]).
  * rope.freq_base defaults to 10000; all fixtures use 10000 except gemma3 (1e6 global).

llama: NORM rope; separate attn_q/k/v (llama.cpp also accepts optional attn_q/k/v.bias,
  attn_output.bias, ffn_*.bias; none here); rope.dimension_count must equal the head dim; scale
  1/sqrt(head_dim); untied output.weight.
qwen2: NEOX rope; attn_q/k/v.bias added right after the projections (before RoPE); scale
  1/sqrt(head_dim); head dim must be n_embd / n_head (attn_q is n_embd x n_embd); output.weight
  here (optional output.bias is accepted).
qwen3: NEOX rope; key_length 32 != 64/4, so attn_q is 64 -> 128, attn_k/attn_v 64 -> 64,
  attn_output 128 -> 64. attn_q_norm / attn_k_norm (length key_length, shared by all heads) are
  RMSNorms applied to each head of Q and K after the projection and BEFORE RoPE (eps = the
  model's rms eps). Scale 1/sqrt(key_length). Tied output.
gemma3:
  * Embeddings are multiplied by sqrt(n_embd) (f32 sqrtf(64) = 8) when looked up from token ids.
  * Block: h = x + post_attention_norm(attn(attn_norm(x)));
           x = h + post_ffw_norm(ffn(ffn_norm(h))).
  * Q/K norms per head before RoPE, as qwen3; NEOX rope; head dim = key_length (32 here).
  * Attention scale: Q is multiplied by 1/sqrt(key_length) (llama.cpp has no
    query_pre_attn_scalar key; it uses 1/sqrt(n_embd / n_head) only for the 62-layer 27B model).
  * FFN: ffn_down(gelu(ffn_gate(h)) * ffn_up(h)) with the tanh-approximation GELU. ggml-cpu
    evaluates it through an f16 table: gelu(f16(x)) rounded to f16 (x <= -10 -> 0, x >= 10 -> x).
    That table is the only llama.cpp-specific rounding in the F32 fixtures: plain f32 math with
    the exact tanh GELU lands within 2e-3 of the fixture logits (the erf GELU within 2.4e-3, so
    tolerances above ~3e-3 do not tell erf from tanh).
  * Sliding window: when gemma3.attention.sliding_window (n_swa) is present and > 0, layer il is
    sliding iff il % 6 < 5 (layers 0-4 sliding, 5 global; in the real 18/26/34-layer models
    layers 5, 11, 17, ... are global), unless a gemma3.attention.sliding_window_pattern key says
    otherwise (absent in the released files and here). In a sliding layer the query at position
    p sees keys at positions p0 with 0 <= p - p0 < n_swa, i.e. itself and the n_swa - 1 tokens
    before it (n_swa = 8 here, so the 20-token fixture exercises it).
  * RoPE base: global layers use gemma3.rope.freq_base (1e6 here and in the released files);
    sliding layers use gemma3.rope.freq_base_swa when present, else 10000 (the released Gemma 3
    GGUFs and this fixture carry no freq_base_swa key).
  * Output tied to token_embd. No attention softcapping. Final logit softcapping only when
    gemma3.final_logit_softcapping is present (c * tanh(logits / c)); absent here and in the
    released files.
phi3: NEOX rope; attn_qkv.weight is n_embd -> n_head*hd + 2*n_head_kv*hd with output rows Q | K | V
  (each head-major); ffn_up.weight is n_embd -> 2*n_ff: the first n_ff outputs are the gate
  (SiLU applied), the last n_ff the up projection; there is no ffn_gate tensor. Q is scaled by
  1/sqrt(head_dim) before attention; head dim must be n_embd / n_head. Untied output.weight.
  llama.cpp reads phi3.attention.sliding_window but disables SWA for phi3 (plain causal
  attention); the fixture has no such key. LongRoPE factors (rope_factors_long/short) are absent.

Quantized matmuls: for a Q8_0 weight ggml-cpu also quantizes the activations to Q8_0 (blocks of
32, d = amax/127 stored as f16, q = round-half-even(x * 127/amax)) before the int8 dot product.
Plain f32 math on the dequantized weights therefore lands up to 3e-2 away from the qwen2 and
llama fixture logits (logit std 0.8); doing the same activation quantization (as candle's
QMatMul does on the CPU) should land within ~1e-4. The default f16 KV cache would move the logits
by up to 3e-2 for the Q8_0 models and up to 4e-3 for the F32 ones (recorded per file).

Install and regenerate (no network needed once installed). llama-cpp-python has no wheel here and
builds from source (about 7 minutes on 2 cores); on CPUs that advertise AMX but do not allow it a
native build crashes, so build with:

    pip install numpy gguf
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF" \
        pip install llama-cpp-python==0.3.36
    python3 scripts/gguf_arch_fixtures.py                     # write .gguf + .json, then check
    python3 scripts/gguf_arch_fixtures.py --check --variants  # NumPy reference only
    python3 scripts/gguf_arch_fixtures.py --gguf-only         # only the .gguf files

In 0.3.36 Llama.eval does not return logits; they are read with llama_get_logits_ith. llama.cpp
pads n_ctx to 256 and warns "n_ctx_seq (256) > n_ctx_train (128)", which is harmless here.
"""

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as QT

OUT_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "gguf"
GENERATOR = "llama-cpp-python 0.3.36"

VOCAB = 320
N_BYTE = 256
SPECIALS = ["<|endoftext|>", "<|bos|>", "<|im_start|>", "<|im_end|>", "<|pad|>", "<|unk|>",
            "<|reserved_0|>", "<|reserved_1|>"]
N_MERGED = VOCAB - N_BYTE - len(SPECIALS)  # 56
BOS_ID, EOS_ID, PAD_ID = VOCAB - 7, VOCAB - 5, VOCAB - 4  # <|bos|>, <|im_end|>, <|pad|>

HIDDEN, N_HEAD, N_HEAD_KV, HEAD_DIM, FF = 64, 4, 2, 16, 96
RMS_EPS, ROPE_BASE, CTX = 1e-6, 10000.0, 128
N_TOKENS, N_GREEDY, N_THREADS = 20, 10, 2

# Per-architecture choices. "weights" is the storage type of every 2-D matrix (1-D norm weights and
# biases are always F32). "key_length" sets attention.key_length/value_length explicitly.
ARCHS = {
    "qwen2": dict(seed=11, n_layer=2, weights="q8_0", tied=False, qkv_bias=True),
    "qwen3": dict(seed=12, n_layer=2, weights="f32", tied=True, key_length=32, qk_norm=True),
    "llama": dict(seed=13, n_layer=2, weights="q8_0", tied=False),
    "gemma3": dict(seed=14, n_layer=6, weights="f32", tied=True, key_length=32, qk_norm=True,
                   post_norms=True, sliding_window=8, rope_base=1e6),
    "phi3": dict(seed=15, n_layer=2, weights="f32", tied=False, fused=True),
}
TOKENS_SEED = 2024


# ----------------------------------------------------------------------------------------------
# tokenizer (only so that llama.cpp accepts the file; the fixtures feed token ids directly)

def bytes_to_unicode():
    bs = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1))
          + list(range(ord("\u00ae"), ord("\u00ff") + 1)))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def build_vocab():
    b2u = bytes_to_unicode()
    tokens = [b2u[b] for b in range(256)]
    have = set(tokens)
    merges = []
    words = [" the", " and", " of", " to", " in", "ing", " is", " it", "er", "on", "re", "at", "en",
             "or", "es", "an", "ou", "ed", " a", " s", " w", " c", " b", " f", " p", " m", " d", " h",
             " l", " n", " e", " o", " g", " r", "th", "he", "ti", "al", "le", "st", "nd", "ar", "te",
             "se", "ha", "ng", "as", "hi", "is", "ea", "ro", "ve", "ri", "co", "de", "ne", "io", "ic"]
    for w in words:
        w = "".join(b2u[b] for b in w.encode())
        for end in range(2, len(w) + 1):
            piece = w[:end]
            if piece not in have and len(merges) < N_MERGED:
                merges.append(f"{piece[:-1]} {piece[-1]}")
                tokens.append(piece)
                have.add(piece)
    assert len(merges) == N_MERGED, len(merges)
    tokens += SPECIALS
    token_type = [1] * (N_BYTE + N_MERGED) + [3] * len(SPECIALS)
    assert len(tokens) == VOCAB
    return tokens, token_type, merges


# ----------------------------------------------------------------------------------------------
# weights

def make_weights(arch, cfg):
    """Tensor name -> float32 array in row-major (out, in) order (GGUF ne = [in, out])."""
    rng = np.random.default_rng(cfg["seed"])
    kd = cfg.get("key_length", HEAD_DIM)
    q_dim, kv_dim = N_HEAD * kd, N_HEAD_KV * kd

    def mat(rows, cols, std):
        return (rng.standard_normal((rows, cols)) * std).astype(np.float32)

    def norm(n):
        return (1.0 + 0.1 * rng.standard_normal(n)).astype(np.float32)

    w = {}
    # tied models reuse token_embd as the output matrix, so keep it small enough that the logits
    # are not saturated (gemma3 also multiplies the embeddings by sqrt(64) = 8)
    emb_std = 0.125 if cfg["tied"] else 1.0
    w["token_embd.weight"] = mat(VOCAB, HIDDEN, emb_std)
    for il in range(cfg["n_layer"]):
        p = f"blk.{il}."
        w[p + "attn_norm.weight"] = norm(HIDDEN)
        if cfg.get("fused"):
            w[p + "attn_qkv.weight"] = np.concatenate(
                [mat(q_dim, HIDDEN, 0.15), mat(kv_dim, HIDDEN, 0.15), mat(kv_dim, HIDDEN, 0.08)])
        else:
            w[p + "attn_q.weight"] = mat(q_dim, HIDDEN, 0.15)
            w[p + "attn_k.weight"] = mat(kv_dim, HIDDEN, 0.15)
            w[p + "attn_v.weight"] = mat(kv_dim, HIDDEN, 0.08)
        if cfg.get("qkv_bias"):
            w[p + "attn_q.bias"] = (0.1 * rng.standard_normal(q_dim)).astype(np.float32)
            w[p + "attn_k.bias"] = (0.1 * rng.standard_normal(kv_dim)).astype(np.float32)
            w[p + "attn_v.bias"] = (0.1 * rng.standard_normal(kv_dim)).astype(np.float32)
        if cfg.get("qk_norm"):
            w[p + "attn_q_norm.weight"] = norm(kd)
            w[p + "attn_k_norm.weight"] = norm(kd)
        w[p + "attn_output.weight"] = mat(HIDDEN, q_dim, 0.08)
        if cfg.get("post_norms"):
            w[p + "post_attention_norm.weight"] = norm(HIDDEN)
        w[p + "ffn_norm.weight"] = norm(HIDDEN)
        if cfg.get("fused"):
            # rows [0, FF) are the gate (SiLU applied), rows [FF, 2 FF) the up projection
            w[p + "ffn_up.weight"] = np.concatenate([mat(FF, HIDDEN, 0.1), mat(FF, HIDDEN, 0.1)])
        else:
            w[p + "ffn_gate.weight"] = mat(FF, HIDDEN, 0.1)
            w[p + "ffn_up.weight"] = mat(FF, HIDDEN, 0.1)
        w[p + "ffn_down.weight"] = mat(HIDDEN, FF, 0.08)
        if cfg.get("post_norms"):
            w[p + "post_ffw_norm.weight"] = norm(HIDDEN)
    w["output_norm.weight"] = norm(HIDDEN)
    if not cfg["tied"]:
        w["output.weight"] = mat(VOCAB, HIDDEN, 0.1)
    return w


def check_tensor_names(arch, names):
    a = {n: v for v, n in gguf.MODEL_ARCH_NAMES.items()}[arch]
    allowed = {gguf.TENSOR_NAMES[t] for t in gguf.MODEL_TENSORS[a]}
    for n in names:
        base = n.rsplit(".", 1)[0]
        parts = base.split(".")
        if parts[0] == "blk":
            base = "blk.{bid}." + ".".join(parts[2:])
        assert base in allowed, f"{arch}: {n} is not a {arch} tensor in gguf-py"


def write_gguf(arch, cfg, path):
    w = make_weights(arch, cfg)
    check_tensor_names(arch, w)
    tokens, token_type, merges = build_vocab()
    kd = cfg.get("key_length", HEAD_DIM)
    wr = gguf.GGUFWriter(str(path), arch)
    wr.add_name("tiny random fixture")  # llama.cpp special-cases names containing "phi3"
    wr.add_context_length(CTX)
    wr.add_embedding_length(HIDDEN)
    wr.add_block_count(cfg["n_layer"])
    wr.add_feed_forward_length(FF)
    wr.add_head_count(N_HEAD)
    wr.add_head_count_kv(N_HEAD_KV)
    wr.add_layer_norm_rms_eps(RMS_EPS)
    wr.add_rope_freq_base(cfg.get("rope_base", ROPE_BASE))
    if "key_length" in cfg:
        wr.add_key_length(kd)
        wr.add_value_length(kd)
    if arch in ("llama", "phi3"):  # as the converted Llama/Phi-3 files carry it
        wr.add_rope_dimension_count(kd)
    if "sliding_window" in cfg:
        wr.add_sliding_window(cfg["sliding_window"])
    ftype = {"f32": gguf.LlamaFileType.ALL_F32, "f16": gguf.LlamaFileType.MOSTLY_F16,
             "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0}[cfg["weights"]]
    wr.add_file_type(ftype)
    if cfg["weights"] != "f32":
        wr.add_quantization_version(gguf.GGML_QUANT_VERSION)
    wr.add_tokenizer_model("gpt2")
    wr.add_tokenizer_pre("default")
    wr.add_token_list(tokens)
    wr.add_token_types(token_type)
    wr.add_token_merges(merges)
    wr.add_bos_token_id(BOS_ID)
    wr.add_eos_token_id(EOS_ID)
    wr.add_pad_token_id(PAD_ID)
    wr.add_add_bos_token(False)
    for name, t in w.items():
        if t.ndim == 2 and cfg["weights"] == "q8_0":
            wr.add_tensor(name, gguf.quants.quantize(t, QT.Q8_0), raw_dtype=QT.Q8_0)
        elif t.ndim == 2 and cfg["weights"] == "f16":
            wr.add_tensor(name, t.astype(np.float16))
        else:
            wr.add_tensor(name, t)
    wr.write_header_to_file()
    wr.write_kv_data_to_file()
    wr.write_tensors_to_file()
    wr.close()


def fixture_tokens():
    rng = np.random.default_rng(TOKENS_SEED)
    return [int(t) for t in rng.integers(0, N_BYTE + N_MERGED, N_TOKENS)]


# ----------------------------------------------------------------------------------------------
# llama.cpp

def run_llama_cpp(path, tokens, kv_f32=True):
    import llama_cpp
    from llama_cpp import Llama

    kw = dict(type_k=llama_cpp.GGML_TYPE_F32, type_v=llama_cpp.GGML_TYPE_F32) if kv_f32 else {}
    llm = Llama(model_path=str(path), n_ctx=CTX, n_batch=CTX, n_threads=N_THREADS,
                n_threads_batch=N_THREADS, logits_all=True, flash_attn=False, seed=0, verbose=False, **kw)
    n_vocab = llm.n_vocab()
    assert n_vocab == VOCAB, n_vocab

    def logits_at(i):
        ptr = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, i)
        return np.ctypeslib.as_array(ptr, shape=(n_vocab,)).astype(np.float32).copy()

    llm.reset()
    llm.eval(tokens)
    logits = np.stack([logits_at(i) for i in range(len(tokens))])
    greedy, margins = [], []
    last = logits[-1]
    for _ in range(N_GREEDY):
        top2 = np.sort(last)[-2:]
        margins.append(float(top2[1] - top2[0]))
        nxt = int(np.argmax(last))
        greedy.append(nxt)
        llm.eval([nxt])
        last = logits_at(-1)
    llm.close()
    return logits, greedy, margins


def sig6(x):
    return float(f"{float(x):.6g}")


def generate(archs):
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    tokens = fixture_tokens()
    for arch in archs:
        cfg = ARCHS[arch]
        gpath = OUT_DIR / f"{arch}-tiny.gguf"
        write_gguf(arch, cfg, gpath)
        logits, greedy, margins = run_llama_cpp(gpath, tokens)
        logits16, _, _ = run_llama_cpp(gpath, tokens, kv_f32=False)
        doc = {
            "arch": arch,
            "gguf": gpath.name,
            "generator": GENERATOR,
            "weights": cfg["weights"],
            "llama_cpp_settings": {"n_ctx": CTX, "n_threads": N_THREADS, "flash_attn": False,
                                   "type_k": "f32", "type_v": "f32", "logits_all": True},
            "tokens": tokens,
            "logits": [[sig6(v) for v in row] for row in logits],
            "greedy": greedy,
            "greedy_margin": [sig6(m) for m in margins],
            "max_abs_diff_with_f16_kv_cache": sig6(np.abs(logits - logits16).max()),
        }
        jpath = OUT_DIR / f"{arch}-tiny.json"
        jpath.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
        print(f"{arch}: {gpath.stat().st_size} B gguf, {jpath.stat().st_size} B json, greedy {greedy}, "
              f"logit std {logits.std():.3f}, f16-kv diff {np.abs(logits - logits16).max():.2e}")


# ----------------------------------------------------------------------------------------------
# NumPy reference forward pass (reads the committed .gguf, so it checks the file as written)

def load_gguf(path):
    r = gguf.GGUFReader(str(path))
    md = {}
    for k, f in r.fields.items():
        if k.startswith("tokenizer.") or k.startswith("GGUF."):
            continue
        md[k] = f.contents()
    w, types = {}, {}
    for t in r.tensors:
        data = gguf.quants.dequantize(t.data, t.tensor_type) if t.tensor_type == QT.Q8_0 else t.data
        shape = tuple(int(s) for s in reversed(t.shape.tolist()))  # numpy order (rows, cols)
        w[t.name] = np.asarray(data, dtype=np.float32).reshape(shape)
        types[t.name] = t.tensor_type
    return md, w, types


def q8_0_activations(x):
    """What ggml-cpu does to the activations of a matmul with a Q8_0 weight: quantize each
    32-element block to int8 with scale amax/127 (stored as f16), rounding half to even."""
    b = x.reshape(*x.shape[:-1], -1, 32).astype(np.float32)
    amax = np.abs(b).max(axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):
        inv = np.where(amax > 0, np.float32(127.0) / amax, 0).astype(np.float32)
    q = np.rint(b * inv)
    d = (amax / np.float32(127.0)).astype(np.float16).astype(np.float32)
    return (q * d).reshape(x.shape)


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * x * (1.0 + 0.044715 * x * x)))


def gelu_ggml(x):
    """ggml-cpu's f32 GELU: f16 lookup table of the tanh approximation (input rounded to f16,
    output stored as f16); x <= -10 -> 0, x >= 10 -> x."""
    x = x.astype(np.float32)
    h = x.astype(np.float16).astype(np.float32)
    y = gelu_tanh(h).astype(np.float32).astype(np.float16).astype(np.float32)
    return np.where(x <= -10, 0.0, np.where(x >= 10, x, y))


# Deliberately wrong conventions; `--check` shows that each fixture tells them apart.
VARIANTS = {
    "rope_other_type": "NEOX rope for llama, NORM (adjacent pairs) for the others",
    "gqa_tiled": "query head h reads kv head h % n_kv instead of h // (n_head / n_kv)",
    "no_qkv_bias": "qwen2 without the attn_q/k/v biases",
    "qk_norm_after_rope": "attn_q_norm/attn_k_norm applied after RoPE instead of before",
    "no_swa": "gemma3 without the sliding window",
    "swa_window_plus1": "gemma3 window of sliding_window + 1 keys",
    "swa_rope_base_global": "gemma3 sliding layers with the global rope.freq_base",
    "swa_layers_dense_first": "gemma3 sliding layers chosen by il % 6 != 0",
    "no_embed_scale": "gemma3 without the sqrt(n_embd) embedding scale",
    "attn_scale_embd_over_heads": "gemma3 scaled by 1/sqrt(n_embd / n_head) instead of 1/sqrt(key_length)",
    "gelu_erf": "gemma3 with the exact erf GELU (ggml uses the tanh approximation)",
    "swap_ffn_halves": "phi3 with up = first half, gate = second half of ffn_up",
}
ARCH_VARIANTS = {
    "qwen2": ["rope_other_type", "gqa_tiled", "no_qkv_bias"],
    "qwen3": ["rope_other_type", "gqa_tiled", "qk_norm_after_rope"],
    "llama": ["rope_other_type", "gqa_tiled"],
    "gemma3": ["rope_other_type", "gqa_tiled", "qk_norm_after_rope", "no_swa", "swa_window_plus1",
               "swa_rope_base_global", "swa_layers_dense_first", "no_embed_scale",
               "attn_scale_embd_over_heads", "gelu_erf"],
    "phi3": ["rope_other_type", "gqa_tiled", "swap_ffn_halves"],
}


def reference_logits(path, tokens, emulate=True, alt=()):
    """emulate=True reproduces ggml-cpu's roundings (Q8_0/F16 activation quantization in matmuls,
    f16-table GELU); emulate=False is the plain f64 math on the dequantized weights. `alt` names
    VARIANTS to apply (wrong on purpose)."""
    md, w, types = load_gguf(path)
    arch = md["general.architecture"]
    g = lambda k, d=None: md.get(f"{arch}.{k}", d)
    n_layer, d_model = g("block_count"), g("embedding_length")
    n_head, n_kv = g("attention.head_count"), g("attention.head_count_kv")
    hd = g("attention.key_length", d_model // n_head)
    eps = g("attention.layer_norm_rms_epsilon")
    base = g("rope.freq_base", 10000.0)
    n_ff = g("feed_forward_length")
    n_swa = g("attention.sliding_window", 0) if arch == "gemma3" else 0
    ft = np.float64

    def mm(x, name):
        wt = w[name].astype(ft)
        if emulate and types[name] == QT.Q8_0:
            x = q8_0_activations(x)
        elif emulate and types[name] == QT.F16:
            x = x.astype(np.float16)
        y = x.astype(ft) @ wt.T
        b = name.replace(".weight", ".bias")
        return y + w[b] if b in w and "no_qkv_bias" not in alt else y

    def rms(x, name):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w[name]

    def rope(x, pos, theta_base, neox):  # x: (n, heads, hd)
        inv = theta_base ** (-np.arange(0, hd, 2, dtype=ft) / hd)
        ang = pos[:, None].astype(ft) * inv[None, :]
        c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
        if neox:
            x0, x1 = x[..., : hd // 2], x[..., hd // 2:]
            return np.concatenate([x0 * c - x1 * s, x0 * s + x1 * c], -1)
        x0, x1 = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2], out[..., 1::2] = x0 * c - x1 * s, x0 * s + x1 * c
        return out

    n = len(tokens)
    pos = np.arange(n)
    x = w["token_embd.weight"][tokens].astype(ft)
    if arch == "gemma3" and "no_embed_scale" not in alt:
        x = x * np.float32(math.sqrt(d_model))
    neox = (arch != "llama") != ("rope_other_type" in alt)
    for il in range(n_layer):
        p = f"blk.{il}."
        sliding = n_swa > 0 and (il % 6 != 0 if "swa_layers_dense_first" in alt else il % 6 < 5)
        h = rms(x, p + "attn_norm.weight")
        if arch == "phi3":
            qkv = mm(h, p + "attn_qkv.weight")
            q, k, v = np.split(qkv, [n_head * hd, n_head * hd + n_kv * hd], axis=-1)
        else:
            q, k, v = mm(h, p + "attn_q.weight"), mm(h, p + "attn_k.weight"), mm(h, p + "attn_v.weight")
        q, k, v = q.reshape(n, n_head, hd), k.reshape(n, n_kv, hd), v.reshape(n, n_kv, hd)
        qk_norm = arch in ("qwen3", "gemma3")
        if qk_norm and "qk_norm_after_rope" not in alt:
            q, k = rms(q, p + "attn_q_norm.weight"), rms(k, p + "attn_k_norm.weight")
        # gemma3.rope.freq_base_swa is absent (as in the released Gemma 3 files) -> 10000
        theta = 10000.0 if sliding and "swa_rope_base_global" not in alt else base
        q, k = rope(q, pos, theta, neox), rope(k, pos, theta, neox)
        if qk_norm and "qk_norm_after_rope" in alt:
            q, k = rms(q, p + "attn_q_norm.weight"), rms(k, p + "attn_k_norm.weight")
        group = n_head // n_kv
        if "gqa_tiled" in alt:
            k, v = np.tile(k, (1, group, 1)), np.tile(v, (1, group, 1))
        else:  # query head h reads kv head h // group
            k, v = np.repeat(k, group, axis=1), np.repeat(v, group, axis=1)
        scale = 1.0 / math.sqrt(hd)
        if "attn_scale_embd_over_heads" in alt:
            scale = 1.0 / math.sqrt(d_model / n_head)
        s = np.einsum("ihd,jhd->hij", q, k) * scale
        diff = pos[:, None] - pos[None, :]  # query pos - key pos
        allowed = diff >= 0
        if sliding and "no_swa" not in alt:
            allowed &= diff < n_swa + (1 if "swa_window_plus1" in alt else 0)
        s = np.where(allowed[None], s, -np.inf)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        a = np.einsum("hij,jhd->ihd", s, v).reshape(n, n_head * hd)
        a = mm(a, p + "attn_output.weight")
        if arch == "gemma3":
            a = rms(a, p + "post_attention_norm.weight")
        x = x + a
        h = rms(x, p + "ffn_norm.weight")
        if arch == "phi3":
            u = mm(h, p + "ffn_up.weight")
            gate, up = u[:, :n_ff], u[:, n_ff:]
            if "swap_ffn_halves" in alt:
                gate, up = up, gate
        else:
            gate, up = mm(h, p + "ffn_gate.weight"), mm(h, p + "ffn_up.weight")
        if arch == "gemma3" and "gelu_erf" in alt:
            act = 0.5 * gate * (1.0 + np.vectorize(math.erf)(gate / math.sqrt(2.0)))
        elif arch == "gemma3":
            act = gelu_ggml(gate) if emulate else gelu_tanh(gate)
        else:
            act = gate / (1.0 + np.exp(-gate))
        f = mm(act * up, p + "ffn_down.weight")
        if arch == "gemma3":
            f = rms(f, p + "post_ffw_norm.weight")
        x = x + f
    x = rms(x, "output_norm.weight")
    return mm(x, "output.weight" if "output.weight" in w else "token_embd.weight")


def check(archs, tol, variants=False):
    ok = True
    for arch in archs:
        fx = json.loads((OUT_DIR / f"{arch}-tiny.json").read_text())
        path = OUT_DIR / fx["gguf"]
        want = np.array(fx["logits"])
        got = reference_logits(path, fx["tokens"], emulate=True)
        exact = reference_logits(path, fx["tokens"], emulate=False)
        d_emul = np.abs(got - want).max()
        d_exact = np.abs(exact - want).max()
        seq = list(fx["tokens"])
        greedy = []
        for _ in range(len(fx["greedy"])):
            greedy.append(int(np.argmax(reference_logits(path, seq, emulate=True)[-1])))
            seq.append(greedy[-1])
        good = d_emul <= tol and greedy == fx["greedy"]
        ok &= good
        print(f"{arch:7s} max|ref-llama.cpp| emulated {d_emul:.2e}  plain f64 {d_exact:.2e}  "
              f"(logit std {want.std():.3f}); greedy {'matches' if greedy == fx['greedy'] else greedy}"
              f"  {'OK' if good else 'MISMATCH'}")
        if variants:
            for name in ARCH_VARIANTS[arch]:
                d = np.abs(reference_logits(path, fx["tokens"], alt=(name,)) - want).max()
                print(f"          wrong convention {name:27s} max diff {d:.2e}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="only compare the committed fixtures with the NumPy reference forward pass")
    ap.add_argument("--gguf-only", action="store_true", help="only write the .gguf files")
    ap.add_argument("--arch", action="append", choices=sorted(ARCHS), help="limit to these archs")
    ap.add_argument("--tol", type=float, default=1e-3)
    ap.add_argument("--variants", action="store_true",
                    help="with --check: also show how far deliberately wrong conventions land")
    args = ap.parse_args()
    archs = args.arch or list(ARCHS)
    if args.gguf_only:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        for arch in archs:
            write_gguf(arch, ARCHS[arch], OUT_DIR / f"{arch}-tiny.gguf")
        return 0
    if not args.check:
        generate(archs)
    return 0 if check(archs, args.tol, args.variants) else 1


if __name__ == "__main__":
    sys.exit(main())
