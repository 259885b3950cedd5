#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Seeds come from the repository (example personas, the JPEG and CLIP image fixtures) and from
small files made here: GGUF headers with a byte-level BPE and a SentencePiece vocabulary, JSON
documents of each configuration, server replies and Retry-After values. The graph seed is
ingested by the `zipp` binary given with --zipp (default: target/debug/zipp), from a handful
of interactions. Every seed is small so that the committed corpora stay well under 1 MB.

    python3 scripts/fuzz_seeds.py [--zipp PATH]
"""

import argparse
import json
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data.encode() if isinstance(data, str) else data)


# --- GGUF -----------------------------------------------------------------------------------

U32, I32, F32, BOOL, STRING, ARRAY, U64 = 4, 5, 6, 7, 8, 9, 10


def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_value(kind, v):
    if kind == U32:
        return struct.pack("<I", v)
    if kind == I32:
        return struct.pack("<i", v)
    if kind == F32:
        return struct.pack("<f", v)
    if kind == BOOL:
        return struct.pack("<B", 1 if v else 0)
    if kind == U64:
        return struct.pack("<Q", v)
    if kind == STRING:
        return gguf_string(v)
    inner, items = v
    return struct.pack("<IQ", inner, len(items)) + b"".join(gguf_value(inner, x) for x in items)


def gguf(metadata, tensors):
    """A GGUF v3 file: metadata [(key, type, value)], tensors [(name, dims)] as F32 data."""
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata))
    for key, kind, value in metadata:
        out += gguf_string(key) + struct.pack("<I", kind) + gguf_value(kind, value)
    offset = 0
    sizes = []
    for name, dims in tensors:
        out += gguf_string(name) + struct.pack("<I", len(dims))
        out += b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", 0, offset)  # type 0 = F32
        n = 4
        for d in dims:
            n *= d
        sizes.append(n)
        offset += (n + 31) // 32 * 32
    out += b"\0" * (-len(out) % 32)
    for n in sizes:
        out += b"\0" * ((n + 31) // 32 * 32)
    return out


def gguf_seeds():
    bpe_tokens = ["a", "c", "t", " ", "Ġ", "Ġc", "at", "Ġcat", "<|im_start|>", "<|im_end|>"]
    bpe = [
        ("general.architecture", STRING, "qwen2"),
        ("general.alignment", U32, 32),
        ("qwen2.block_count", U32, 1),
        ("qwen2.context_length", U32, 64),
        ("tokenizer.ggml.model", STRING, "gpt2"),
        ("tokenizer.ggml.pre", STRING, "qwen2"),
        ("tokenizer.ggml.tokens", ARRAY, (STRING, bpe_tokens)),
        ("tokenizer.ggml.token_type", ARRAY, (I32, [1] * 8 + [3, 3])),
        ("tokenizer.ggml.merges", ARRAY, (STRING, ["Ġ c", "a t", "Ġc at"])),
        ("tokenizer.ggml.bos_token_id", U32, 8),
        ("tokenizer.ggml.eos_token_id", U32, 9),
        ("tokenizer.chat_template", STRING,
         "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"),
    ]
    put("gguf", "bpe.gguf", gguf(bpe, [("token_embd.weight", [4, 10])]))
    spm_tokens = ["<unk>", "<s>", "</s>", "<0x0A>", "▁a", "▁cat", "▁", "c", "a", "t"]
    spm = [
        ("general.architecture", STRING, "llama"),
        ("llama.block_count", U32, 1),
        ("tokenizer.ggml.model", STRING, "llama"),
        ("tokenizer.ggml.tokens", ARRAY, (STRING, spm_tokens)),
        ("tokenizer.ggml.scores", ARRAY, (F32, [0.0, 0.0, 0.0, 0.0, -1.0, -2.0, -3.0, -4.0, -5.0, -6.0])),
        ("tokenizer.ggml.token_type", ARRAY, (I32, [2, 3, 3, 6, 1, 1, 1, 1, 1, 1])),
        ("tokenizer.ggml.bos_token_id", U32, 1),
        ("tokenizer.ggml.eos_token_id", U32, 2),
        ("tokenizer.ggml.add_bos_token", BOOL, True),
    ]
    put("gguf", "spm.gguf", gguf(spm, [("token_embd.weight", [4, 10]), ("output.weight", [4, 10])]))
    put("gguf", "empty.gguf", gguf([], []))


# --- images ---------------------------------------------------------------------------------

def image_seeds():
    for name in ["gray.jpg", "progressive.jpg", "restart.jpg", "s420.jpg", "truncated.jpg", "cmyk.jpg"]:
        put("image", name, (ROOT / "tests/fixtures/jpeg" / name).read_bytes())
    put("image", "small.webp", (ROOT / "tests/fixtures/clip/images/small.webp").read_bytes())
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    def png(width, height, color_type, channels, palette=None):
        rows = b"".join(b"\0" + bytes((x * 37 + y * 11 + c * 5) % 256 for x in range(width) for c in range(channels))
                        for y in range(height))
        out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0))
        if palette:
            out += chunk(b"PLTE", palette)
        return out + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")

    put("image", "rgb.png", png(5, 3, 2, 3))
    put("image", "rgba.png", png(3, 4, 6, 4))
    put("image", "gray.png", png(4, 4, 0, 1))
    put("image", "palette.png", png(2, 2, 3, 1, palette=bytes(range(256 * 3 % 768))[:48]))


# --- JSON and text --------------------------------------------------------------------------

def json_seeds():
    for p in sorted((ROOT / "examples/personas").glob("*.json")):
        if p.name != "persona.schema.json":
            put("persona", p.name, p.read_bytes())
    put("persona", "plain.txt", "I'm a retired fisherman in Tromsø. I love grey seas and quiet harbours.")
    put("persona", "minimal.json", '{"schema": "zipp.persona/v1", "text": "I love rain."}')

    surveys = {
        "full.json": {"name": "Ama", "age_band": "25-34", "gender": "woman", "country": "GH",
                      "region": "Western Africa", "language": "en", "profession": "tailor",
                      "hobbies": ["highlife music", "markets"], "notes": "I like bright cloth."},
        "hobbies-text.json": {"hobbies": "chess, tea", "profession": "teacher"},
        "empty.json": {},
    }
    for name, s in surveys.items():
        put("survey", name, json.dumps(s))

    options = {
        "all.json": {"method": "taste", "seed": 7, "temperature": 0.7, "top_p": 0.9, "top_k": 40,
                     "min_p": 0.05, "repeat_penalty": 1.1, "max_new_tokens": 96, "k": 3,
                     "word_budget": 60, "taste_clauses": 2, "negative_prompt": "blurry",
                     "on_error": "passthrough", "cache": False,
                     "examples": [{"prompt": "a dog", "rewrite": "a dog in soft light"}]},
        "seed.json": {"seed": 1},
        "roleplay.json": {"method": "roleplay", "k": 0},
    }
    for name, o in options.items():
        put("rewrite_options", name, json.dumps(o))

    configs = {
        "openai.json": {"backend": "openai", "model": "m", "base_url": "http://me:pw@127.0.0.1:8080/v1",
                        "api_key": "sk-1", "connect_timeout_ms": 500, "timeout_ms": 1500,
                        "max_retries": 2, "retry_backoff_ms": 10, "max_retry_wait_ms": 1000,
                        "cache_capacity": 8, "options": {"seed": 3, "on_error": "passthrough"}},
        "rules.json": {"backend": "rules", "options": {"word_budget": 40}},
        "gguf.json": {"backend": "gguf", "model_path": "/nonexistent.gguf", "context_length": 2048,
                      "threads": 2},
    }
    for name, c in configs.items():
        put("rewriter_config", name, json.dumps(c))

    mine = {
        "full.json": {"graph": "month.graph", "out_dir": "mined",
                      "images": {"index": "images.txt", "vectors": "images.npy"},
                      "encoder": {"embedding_dim": 16, "hidden": 16, "heads": 2, "out_dim": 16,
                                  "dropout": 0.1, "share_weights": True, "self_loops": True,
                                  "negative_slope": 0.2},
                      "train": {"epochs": 3, "learning_rate": 0.02, "weight_decay": 0.0,
                                "warmup_epochs": 1, "clip_norm": 5.0, "negatives": 1, "patience": 2,
                                "batch_edges": 0, "full_batch_limit": 1000, "fanout": [5, 3], "seed": 1,
                                "image_align": {"weight": 0.1, "temperature": 0.1,
                                                "learn_temperature": False, "batch_users": 64}},
                      "evidence": {"token_budget": 512, "max_communities": 4, "snippets_per_community": 2},
                      "verbalizer": {"backend": "rules"}, "max_personas": 5, "resume": False,
                      "device": "cpu", "threads": 1, "memory_limit_mb": 512},
        "minimal.json": {"graph": "g", "out_dir": "o"},
    }
    for name, m in mine.items():
        put("mine_config", name, json.dumps(m))

    completion = {"id": "c", "object": "chat.completion", "model": "m",
                  "choices": [{"index": 0, "message": {"role": "assistant", "content": "a cat, soft light",
                                                       "reasoning_content": "hmm"},
                               "finish_reason": "stop"}],
                  "usage": {"prompt_tokens": 4, "completion_tokens": 3}}
    put("openai_reply", "completion.json", json.dumps(completion))
    put("openai_reply", "error.json", '{"error": {"message": "model not found"}}')
    put("openai_reply", "error-string.json", '{"error": "busy"}')
    put("openai_reply", "html.txt", "<html>502 Bad Gateway</html>")

    for i, v in enumerate(["1", "0.5", " 30 ", "1e300", "-1", "NaN", "inf", "Wed, 21 Oct 2015 07:28:00 GMT"]):
        put("retry_after", f"value-{i}", v)


# --- graph ----------------------------------------------------------------------------------

def graph_seed(zipp):
    rows = [
        {"user": "ama", "community": "analog", "text": "film grain at dusk", "image": "i/1.jpg", "timestamp": 1577836800},
        {"user": "ama", "community": "tea", "text": "jasmine tea", "image": "", "timestamp": 1577923200},
        {"user": "kofi", "community": "analog", "text": "portra 400", "image": "i/2.jpg", "timestamp": 1578009600},
        {"user": "kofi", "community": "chess", "text": "a quiet opening", "image": "", "timestamp": 1578096000},
        {"user": "lin", "community": "tea", "text": "oolong", "image": "i/3.jpg", "timestamp": 1578182400},
        {"user": "lin", "community": "chess", "text": "endgames", "image": "", "timestamp": 1578268800},
    ]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "logs.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in rows))
        out = Path(tmp) / "tiny.graph"
        subprocess.run([str(zipp), "mine", "ingest", "-i", str(src), "-o", str(out),
                        "--min-user", "1", "--min-community", "1"], check=True, capture_output=True)
        put("graph", "tiny.graph", out.read_bytes())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zipp", default=str(ROOT / "target/debug/zipp"), help="the zipp binary that ingests the graph seed")
    args = ap.parse_args()
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    gguf_seeds()
    image_seeds()
    json_seeds()
    graph_seed(args.zipp)
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    print(f"wrote {sum(1 for p in CORPUS.rglob('*') if p.is_file())} seeds, {total} bytes, into {CORPUS}")


if __name__ == "__main__":
    main()
