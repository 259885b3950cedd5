#!/usr/bin/env python3
"""Writes tests/fixtures/clip/: tiny random CLIP models plus Hugging Face transformers reference outputs.

The Rust CLIP implementation in libzipp must give the same tokens, preprocessing and embeddings as
transformers. This script writes, deterministically (fixed seeds; a rerun gives identical bytes
with the same package versions):

- tokenizer: a tiny CLIP-style byte-level BPE tokenizer trained with the `tokenizers` library on a
  few hundred image-prompt sentences built in this file. Same pipeline as openai/clip-vit-*'s
  tokenizer.json (NFC + whitespace collapse + lowercase, CLIP split regex + ByteLevel, BPE with
  `</w>` end-of-word suffix, RobertaProcessing). Vocab layout also as CLIP: 256 byte symbols,
  the same 256 with `</w>`, the learned merges, then `<|startoftext|>`, `<|endoftext|>` last.
- tiny-quick/ and tiny-gelu/: `CLIPModel` with random weights (config.json, model.safetensors),
  the tokenizer files and preprocessor_config.json (CLIPImageProcessor, shortest_edge 32,
  crop 32x32). tiny-quick: quick_gelu, projection 16, seed 0. tiny-gelu: gelu, layer_norm_eps
  1e-6, projection 24, seed 1.
- images/: six small synthetic pictures (rgb.png, gray.png, alpha.png, photo.jpg, small.webp,
  palette.png) covering RGB, L, RGBA, JPEG, lossy WebP (smaller than the crop) and P modes.
- expected/<name>-32.png and <name>-224.png: the slow (PIL) CLIPImageProcessor output before
  rescale/normalize (uint8 RGB) at the tiny models' setting and at the real CLIP setting
  (shortest_edge 224, crop 224). expected/<name>-decoded.png: what Pillow decoded the file to,
  after the processor's RGB conversion (separates decoder/compositing differences from resize
  differences; the JPEG and WebP ones matter most). expected/<name>-32.f32: the normalized
  pixel_values fed to the tiny models (raw little-endian float32, [3][32][32] CHW; both models
  share the processor settings; binary rather than JSON to keep the fixtures small).
- reference.json: how each image was converted and resized; per model, token ids and text
  embeddings (projected, pooled at the first eos token; raw and L2-normalized), image embeddings
  (raw and normalized) for each image, logit_scale; computed in float64 from the float32 weights.

Run (needs transformers, tokenizers, pillow, numpy, torch; CPU is enough):

    python3 scripts/clip_fixtures.py
"""

import json
import math
import random
import shutil
import sys
from pathlib import Path

import numpy as np
import PIL
import tokenizers
import torch
import transformers
from PIL import Image, features
from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import BPE
from tokenizers.trainers import BpeTrainer

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "clip"
BOS = "<|startoftext|>"
EOS = "<|endoftext|>"
N_MERGES = 150
SPLIT_RE = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""

try:  # transformers >= 5: CLIPImageProcessor is the torchvision backend; the PIL one has its own name.
    from transformers import CLIPImageProcessorPil as SlowCLIPImageProcessor
except ImportError:  # transformers 4.x: CLIPImageProcessor is the slow PIL one.
    from transformers import CLIPImageProcessor as SlowCLIPImageProcessor


# ----------------------------------------------------------------------------------------------
# Corpus
# ----------------------------------------------------------------------------------------------

HANDWRITTEN = [
    "a photo of a cat sitting on a wooden table",
    "a close-up photo of a dog's nose",
    "an oil painting of a lighthouse at sunset",
    "a rainy street at night with neon signs",
    "a bowl of ramen with an egg and green onions",
    "two children playing football in a park",
    "a red bicycle leaning against a brick wall",
    "aerial view of a river winding through a forest",
    "a black and white portrait of an old man",
    "a snowy mountain under a clear blue sky",
    "it's a sunny day at the beach",
    "the cat's toy is under the sofa",
    "they're walking their dogs in the rain",
    "we've never seen a sky this orange",
    "i'm holding a cup of hot coffee",
    "you'll find the keys on the kitchen counter",
    "she'd like a slice of chocolate cake",
    "a diagram of a cell, labeled in english",
    "a screenshot of a spreadsheet with 12 columns",
    "a watercolor sketch of paris in 1920",
    "a cup of café crème on a marble table",
    "a vintage car parked in front of a diner",
    "a group of friends laughing around a campfire",
    "an astronaut riding a horse on the moon",
    "a macro shot of a bee on a yellow flower",
    "a crowded train station during rush hour",
    "a minimalist logo of a fox, vector art",
    "a stack of old books next to a candle",
    "a sailboat on a calm lake at dawn!",
    "a plate of sushi: salmon, tuna and avocado",
    "a pixel art castle with 3 towers",
    "a blurry photo of a city skyline from a plane window",
    "a golden retriever puppy wearing a tiny hat",
    "a green apple and a red apple on a white background",
    "an empty classroom with chairs stacked on desks",
    "a street market in tokyo selling fruit",
    "a selfie of a woman wearing sunglasses",
    "a hand-drawn map of a treasure island",
    "fireworks over a harbor on new year's eve",
    "a 3d render of a glass sphere on a checkerboard floor",
]

SUBJECTS = [
    "cat", "dog", "horse", "bird", "car", "house", "tree", "flower", "mountain", "river", "city",
    "street", "woman", "man", "child", "boat", "train", "bridge", "garden", "kitchen", "chair",
    "table", "lamp", "book", "cake", "pizza", "forest", "beach", "robot", "castle", "guitar",
    "bicycle", "window", "door", "cup", "clock", "fox", "owl", "lion", "tiger",
]
ADJECTIVES = [
    "red", "blue", "green", "yellow", "small", "large", "old", "new", "beautiful", "dark",
    "bright", "wet", "happy", "sleepy", "wooden", "golden", "black", "white", "tiny", "giant",
    "colorful", "foggy", "vintage", "modern", "cute",
]
PLACES = [
    "in the snow", "on the grass", "at night", "in the rain", "under a tree", "on a table",
    "near the sea", "in a city", "on the road", "in the forest", "at sunset", "in a room",
    "on the beach", "by the window", "in the desert", "at the park",
]
STYLES = [
    "a photo of", "a picture of", "a painting of", "a drawing of", "a close-up of",
    "a blurry photo of", "a bright photo of", "a cropped photo of", "a rendering of",
    "a sketch of", "an image of", "a good photo of",
]


def corpus(rng: random.Random) -> list[str]:
    lines = list(HANDWRITTEN)
    for _ in range(260):
        style = rng.choice(STYLES)
        adj = rng.choice(ADJECTIVES)
        subj = rng.choice(SUBJECTS)
        place = rng.choice(PLACES)
        art = "an" if adj[0] in "aeiou" else "a"
        line = f"{style} {art} {adj} {subj} {place}"
        if rng.random() < 0.2:
            line += f" with {rng.randint(2, 9)} {rng.choice(SUBJECTS)}s"
        if rng.random() < 0.15:
            line = line.upper() if rng.random() < 0.5 else line.capitalize() + "."
        lines.append(line)
    return lines


# ----------------------------------------------------------------------------------------------
# Tokenizer
# ----------------------------------------------------------------------------------------------


def clip_pipeline(tok: Tokenizer) -> None:
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(SPLIT_RE), behavior="removed", invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()


def bytes_to_unicode_order() -> list[str]:
    """The 256 byte symbols in the order of CLIP's vocab (GPT-2's bytes_to_unicode)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


def build_tokenizer(lines: list[str]) -> Tokenizer:
    # 1. Learn merges with the tokenizers trainer.
    trainer_tok = Tokenizer(BPE(unk_token=EOS, end_of_word_suffix="</w>", continuing_subword_prefix=""))
    clip_pipeline(trainer_tok)
    trainer = BpeTrainer(
        vocab_size=2000,
        min_frequency=2,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        end_of_word_suffix="</w>",
        special_tokens=[],
    )
    trainer_tok.train_from_iterator(lines, trainer=trainer)
    learned = json.loads(trainer_tok.to_str())["model"]["merges"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in learned][:N_MERGES]

    # 2. Lay the vocab out as CLIP does: bytes, bytes + </w>, merges, specials.
    symbols = bytes_to_unicode_order()
    vocab: dict[str, int] = {}
    for s in symbols + [s + "</w>" for s in symbols]:
        vocab[s] = len(vocab)
    for a, b in merges:
        assert a in vocab and b in vocab, (a, b)
        vocab.setdefault(a + b, len(vocab))
    vocab[BOS] = len(vocab)
    vocab[EOS] = len(vocab)

    tok = Tokenizer(
        BPE(
            vocab=vocab,
            merges=merges,
            dropout=None,
            continuing_subword_prefix="",
            end_of_word_suffix="</w>",
            fuse_unk=False,
            unk_token=EOS,
        )
    )
    clip_pipeline(tok)
    tok.add_special_tokens(
        [
            tokenizers.AddedToken(BOS, rstrip=False, lstrip=False, single_word=False, normalized=True, special=True),
            tokenizers.AddedToken(EOS, rstrip=False, lstrip=False, single_word=False, normalized=True, special=True),
        ]
    )
    tok.post_processor = processors.RobertaProcessing(
        (EOS, vocab[EOS]), (BOS, vocab[BOS]), trim_offsets=False, add_prefix_space=False
    )
    return tok


def wrap(tok: Tokenizer):
    return transformers.CLIPTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=EOS,
        unk_token=EOS,
        model_max_length=77,
    )


# ----------------------------------------------------------------------------------------------
# Images
# ----------------------------------------------------------------------------------------------


def scene(w: int, h: int, seed: int, noise: float = 1.0) -> np.ndarray:
    """A smooth 'photo' (gradients, soft and hard shapes, mild noise) as float HxWx3 in 0..255."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    u, v = x / max(w - 1, 1), y / max(h - 1, 1)
    c0, c1, c2 = rng.uniform(30, 225, size=(3, 3))
    img = (1 - v)[..., None] * c0 + v[..., None] * c1
    img += (0.5 + 0.5 * np.sin(2 * math.pi * (u * rng.uniform(0.5, 1.5) + rng.uniform())))[..., None] * (c2 - 128) * 0.4
    # soft disc
    cx, cy, r = rng.uniform(0.25, 0.75) * w, rng.uniform(0.25, 0.75) * h, rng.uniform(0.15, 0.3) * min(w, h)
    d = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
    a = np.clip((r - d) / 1.5 + 0.5, 0, 1)[..., None]
    img = img * (1 - a) + a * rng.uniform(0, 255, size=3)
    # hard rectangle
    x0, y0 = int(rng.uniform(0, 0.6) * w), int(rng.uniform(0, 0.6) * h)
    x1, y1 = x0 + max(2, int(rng.uniform(0.15, 0.35) * w)), y0 + max(2, int(rng.uniform(0.15, 0.35) * h))
    img[y0:y1, x0:x1] = rng.uniform(0, 255, size=3)
    # thin diagonal line
    line = np.abs((y - 0.6 * h) - (x - 0.3 * w) * rng.uniform(-1, 1)) < 0.8
    img[line] = 255 - img[line]
    img += rng.normal(0, noise, size=img.shape)
    return np.clip(np.rint(img), 0, 255)


def make_images(img_dir: Path) -> dict[str, Path]:
    img_dir.mkdir(parents=True, exist_ok=True)
    paths = {}

    rgb = scene(50, 37, seed=10).astype(np.uint8)
    paths["rgb"] = img_dir / "rgb.png"
    Image.fromarray(rgb).save(paths["rgb"], optimize=True)

    g = scene(64, 64, seed=11)
    gray = np.clip(np.rint(g @ np.array([0.299, 0.587, 0.114])), 0, 255).astype(np.uint8)
    paths["gray"] = img_dir / "gray.png"
    Image.fromarray(gray).save(paths["gray"], optimize=True)

    h, w = 60, 45
    col = scene(w, h, seed=12).astype(np.uint8)
    y, x = np.mgrid[0:h, 0:w]
    alpha = np.clip(np.rint(255 * x / (w - 1) * (0.4 + 0.6 * y / (h - 1))), 0, 255)
    alpha[(x - 30) ** 2 + (y - 20) ** 2 < 64] = 255  # opaque disc
    alpha[45:52, 3:12] = 0  # fully transparent patch
    rgba = np.dstack([col, alpha.astype(np.uint8)])
    paths["alpha"] = img_dir / "alpha.png"
    Image.fromarray(rgba).save(paths["alpha"], optimize=True)
    assert Image.open(paths["alpha"]).mode == "RGBA"

    photo = scene(120, 90, seed=13, noise=1.5).astype(np.uint8)
    paths["photo"] = img_dir / "photo.jpg"
    Image.fromarray(photo).save(paths["photo"], quality=90)

    small = scene(20, 28, seed=14).astype(np.uint8)
    paths["small"] = img_dir / "small.webp"
    Image.fromarray(small).save(paths["small"], "WEBP", lossless=False, quality=90)

    rng = np.random.default_rng(15)
    pal = rng.integers(0, 256, size=(16, 3), dtype=np.uint8)
    y, x = np.mgrid[0:40, 0:40]
    idx = ((x // 5 + y // 7) % 6).astype(np.uint8)
    idx[(x - 22) ** 2 + (y - 18) ** 2 < 100] = 9
    idx[28:35, 5:30] = 12
    idx[np.abs(x - y) < 1] = 15
    pimg = Image.frombytes("P", (40, 40), idx.tobytes())
    pimg.putpalette(pal.flatten().tolist())
    paths["palette"] = img_dir / "palette.png"
    pimg.save(paths["palette"], optimize=False)
    assert Image.open(paths["palette"]).mode == "P"

    for p in paths.values():
        assert p.stat().st_size < 30_000, p
    return paths


def pil_alpha_composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """Pillow's AlphaComposite.c integer formula with an opaque white destination."""
    s = rgba.astype(np.int64)
    sa = s[..., 3:4]
    blend = 255 * (255 - sa)
    outa255 = sa * 255 + blend
    coef1 = sa * 255 * 255 * 128 // outa255
    coef2 = 255 * 128 - coef1
    tmp = s[..., :3] * coef1 + 255 * coef2 + (0x80 << 7)
    out = (((tmp >> 8) + tmp) >> 8) >> 7
    return np.where(sa == 0, 255, out).astype(np.uint8)


# ----------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------

TEXTS = [
    "a photo of a cat",
    "",
    "A RAINY street at  night, neon!",
    None,  # 200 words, filled in below
    "café crème 東京 🚀",
    "it's a dog's life",
]


def long_text() -> str:
    rng = random.Random(77)
    words = []
    while len(words) < 200:
        words.extend(rng.choice(HANDWRITTEN).replace(",", "").split())
    return " ".join(words[:200])


MODELS = {
    "tiny-quick": dict(act="quick_gelu", eps=1e-5, proj=16, seed=0),
    "tiny-gelu": dict(act="gelu", eps=1e-6, proj=24, seed=1),
}


def make_config(spec: dict, tk) -> transformers.CLIPConfig:
    common = dict(
        hidden_size=32,
        intermediate_size=37,
        num_hidden_layers=2,
        num_attention_heads=4,
        hidden_act=spec["act"],
        layer_norm_eps=spec["eps"],
        projection_dim=spec["proj"],
    )
    text = dict(
        common,
        vocab_size=len(tk),
        max_position_embeddings=77,
        bos_token_id=tk.bos_token_id,
        eos_token_id=tk.eos_token_id,
        pad_token_id=tk.pad_token_id,
    )
    vision = dict(common, image_size=32, patch_size=8, num_channels=3)
    return transformers.CLIPConfig(text_config=text, vision_config=vision, projection_dim=spec["proj"])


def to_list(t: torch.Tensor) -> list:
    return [float(v) for v in t.reshape(-1).tolist()]


def main() -> int:
    print(f"transformers {transformers.__version__}, tokenizers {tokenizers.__version__}, "
          f"pillow {PIL.__version__}, numpy {np.__version__}, torch {torch.__version__}")
    transformers.utils.logging.disable_progress_bar()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)

    # --- tokenizer ------------------------------------------------------------------------
    lines = corpus(random.Random(1234))
    tok = build_tokenizer(lines)
    tk = wrap(tok)
    texts = [t if t is not None else long_text() for t in TEXTS]
    tmp = OUT / "_tok_roundtrip"
    tk.save_pretrained(tmp)
    tk2 = transformers.CLIPTokenizerFast.from_pretrained(tmp)
    shutil.rmtree(tmp)
    for t in texts + lines[:50]:
        a = tk(t, truncation=True, max_length=77)["input_ids"]
        b = tk2(t, truncation=True, max_length=77)["input_ids"]
        c = tok.encode(t).ids
        c = c if len(c) <= 77 else c[:76] + [tok.token_to_id(EOS)]
        assert a == b == c, (t, a, b, c)
    assert tk.bos_token_id == tok.token_to_id(BOS) and tk.eos_token_id == tok.token_to_id(EOS)
    print(f"tokenizer: vocab {len(tk)}, bos {tk.bos_token_id}, eos {tk.eos_token_id}, pad {tk.pad_token_id}")

    # --- images and preprocessing ---------------------------------------------------------
    paths = make_images(OUT / "images")
    exp_dir = OUT / "expected"
    exp_dir.mkdir()
    proc32 = SlowCLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    proc224 = SlowCLIPImageProcessor(size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224})
    preprocess = []
    pixel_values = {}
    for name, path in paths.items():
        img = Image.open(path)
        img.load()
        entry = {"name": name, "file": f"images/{path.name}", "mode": img.mode, "size_wh": list(img.size)}
        if img.mode == "RGBA":
            entry["conversion"] = ("RGBA: alpha-composited onto opaque white with PIL.Image.alpha_composite, "
                                   "then convert('RGB'); alpha is not just dropped")
            rgba = np.array(img)
            ours = pil_alpha_composite_on_white(rgba)
            pil = np.array(Image.alpha_composite(Image.new("RGBA", img.size, (255, 255, 255, 255)), img).convert("RGB"))
            assert np.array_equal(ours, pil), "integer alpha-composite formula does not match Pillow"
            a = rgba[..., 3:4].astype(np.float64) / 255
            naive = np.rint(a * rgba[..., :3] + (1 - a) * 255).astype(np.int64)
            entry["composite_formula"] = (
                "per channel, sa = alpha: sa==0 -> 255; else outa255 = sa*255 + 255*(255-sa); "
                "coef1 = sa*255*255*128 // outa255; coef2 = 255*128 - coef1; t = c*coef1 + 255*coef2 + (128<<7); "
                "out = (((t>>8) + t) >> 8) >> 7  (Pillow AlphaComposite.c, integer)")
            entry["composite_vs_float_round_max_diff"] = int(np.abs(naive - ours.astype(np.int64)).max())
            entry["composite_vs_float_round_pixels_differing"] = int((naive != ours).any(-1).sum())
        elif img.mode == "L":
            entry["conversion"] = "L: convert('RGB'), gray value replicated into R, G, B"
        elif img.mode == "P":
            entry["conversion"] = "P (no transparency): convert('RGB'), palette lookup"
        else:
            entry["conversion"] = "RGB: unchanged"
        if img.format == "JPEG":
            from PIL import JpegImagePlugin
            entry["jpeg_subsampling"] = {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}.get(JpegImagePlugin.get_sampling(img), "other")
            entry["decoder"] = f"Pillow {PIL.__version__}, libjpeg-turbo {features.version('libjpeg_turbo')} (ISLOW DCT, fancy upsampling)"
        elif img.format == "WEBP":
            entry["decoder"] = f"Pillow {PIL.__version__}, libwebp {features.version('webp')} (lossy VP8)"
        decoded = proc32.convert_to_rgb(img)  # exactly what the processor converts to (H, W, 3 uint8)
        decoded = np.asarray(decoded)
        assert decoded.dtype == np.uint8 and decoded.shape[-1] == 3
        Image.fromarray(decoded).save(exp_dir / f"{name}-decoded.png", optimize=True)
        entry["decoded"] = f"expected/{name}-decoded.png"
        if img.mode == "L":
            g = np.array(img)
            assert all(np.array_equal(decoded[..., c], g) for c in range(3))
        for size, proc in ((32, proc32), (224, proc224)):
            raw = proc(images=img, do_rescale=False, do_normalize=False, return_tensors="np")["pixel_values"][0]
            assert raw.shape == (3, size, size), raw.shape
            rounded = np.rint(raw.astype(np.float64))
            err = float(np.abs(raw.astype(np.float64) - rounded).max())
            assert rounded.min() >= 0 and rounded.max() <= 255
            Image.fromarray(rounded.astype(np.uint8).transpose(1, 2, 0)).save(exp_dir / f"{name}-{size}.png", optimize=True)
            entry[f"expected_{size}"] = f"expected/{name}-{size}.png"
            entry[f"raw_dtype_{size}"] = str(raw.dtype)
            entry[f"max_rounding_error_{size}"] = err
            h, w = decoded.shape[:2]
            short, long_ = (w, h) if w <= h else (h, w)
            new_long = int(size * long_ / short)
            entry[f"resized_hw_{size}"] = [new_long, size] if w <= h else [size, new_long]
        pv = proc32(images=img, return_tensors="np")["pixel_values"][0]
        assert pv.dtype == np.float32 and pv.shape == (3, 32, 32)
        # Check the normalization recipe against the stored uint8 crop.
        u8 = np.array(Image.open(exp_dir / f"{name}-32.png")).transpose(2, 0, 1)
        mean = np.array(proc32.image_mean, dtype=np.float32)[:, None, None]
        std = np.array(proc32.image_std, dtype=np.float32)[:, None, None]
        recipe = ((u8.astype(np.float64) * (1 / 255)).astype(np.float32) - mean) / std
        entry["normalize_recipe_max_abs_diff"] = float(np.abs(recipe - pv).max())
        pixel_values[name] = pv
        pv.astype("<f4").tofile(exp_dir / f"{name}-32.f32")
        entry["pixel_values_32"] = f"expected/{name}-32.f32"
        preprocess.append(entry)

    # --- models ---------------------------------------------------------------------------
    reference = {
        "generator": "scripts/clip_fixtures.py",
        "versions": {
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "pillow": PIL.__version__,
            "numpy": np.__version__,
            "torch": torch.__version__.split("+")[0],
        },
        "notes": {
            "pooling": "first eos",
            "pooling_detail": ("text pooled output = final-layer-normed hidden state at the FIRST position whose id == "
                               "config.text_config.eos_token_id (eos != 2, so transformers does not use the legacy "
                               "argmax-of-ids rule; as in real CLIP, eos is also the largest id, so both rules agree "
                               "here); then text_projection"),
            "image_pooling": "CLS token (position 0) -> post_layernorm -> visual_projection",
            "embeds": "text_embeds / image_embeds are get_*_features outputs (projected, NOT normalized)",
            "precision": "reference computed in float64 (model.double()) from the float32 weights and float32 pixel_values",
            "image_processor": ("slow PIL CLIPImageProcessor (transformers 5: class CLIPImageProcessorPil; saved as "
                                "image_processor_type CLIPImageProcessor). convert_to_rgb -> resize shortest edge "
                                "(int(size*long/short), PIL BICUBIC, reducing_gap None) -> center crop "
                                "(top=(h-c)//2, left=(w-c)//2) -> *1/255 (float64 then cast to float32) -> "
                                "(x-mean)/std in float32"),
            "pixel_values_32": ("expected/<name>-32.f32 = normalized pixel_values fed to the tiny models' vision tower: "
                                "raw little-endian float32, 3*32*32 values, CHW order (kept out of this JSON for size)"),
            "expected_png": ("expected/<name>-<N>.png = processor output with do_rescale=False, do_normalize=False "
                             "(uint8 RGB, HxWx3); <name>-decoded.png = Pillow-decoded file after convert_to_rgb"),
        },
        "preprocess": preprocess,
        "models": {},
    }

    for mname, spec in MODELS.items():
        mdir = OUT / mname
        config = make_config(spec, tk)
        torch.manual_seed(spec["seed"])
        model = transformers.CLIPModel(config).eval()
        model.save_pretrained(mdir, safe_serialization=True)
        wrap(tok).save_pretrained(mdir)  # fresh wrapper: encoding with `tk` leaves truncation set in its backend
        proc32.save_pretrained(mdir)

        # Reload from disk to make sure the files are what we compute from.
        m = transformers.CLIPModel.from_pretrained(mdir, attn_implementation="eager").eval()
        m32 = transformers.CLIPModel.from_pretrained(mdir, attn_implementation="eager").eval()
        m = m.double()
        for (n1, p1), (n2, p2) in zip(model.state_dict().items(), m32.state_dict().items()):
            assert n1 == n2 and torch.equal(p1, p2), n1
        tkm = transformers.CLIPTokenizerFast.from_pretrained(mdir)
        pm = transformers.AutoImageProcessor.from_pretrained(mdir, backend="pil")
        assert type(pm).__name__ in ("CLIPImageProcessorPil", "CLIPImageProcessor"), type(pm)
        eos_pooling_first = m.text_model.eos_token_id != 2
        assert eos_pooling_first

        entry = {
            "config": {"hidden_act": spec["act"], "layer_norm_eps": spec["eps"], "projection_dim": spec["proj"],
                       "seed": spec["seed"], "vocab_size": len(tk), "bos_token_id": tk.bos_token_id,
                       "eos_token_id": tk.eos_token_id, "pad_token_id": tk.pad_token_id},
            "logit_scale": float(m.logit_scale.exp().item()),
            "texts": [],
            "images": [],
        }
        max_f32_diff = 0.0
        with torch.no_grad():
            for t in texts:
                ids = tkm(t, truncation=True, max_length=77)["input_ids"]
                assert ids == tk(t, truncation=True, max_length=77)["input_ids"]
                x = torch.tensor([ids], dtype=torch.long)
                e = m.get_text_features(input_ids=x).pooler_output[0]
                e32 = m32.get_text_features(input_ids=x).pooler_output[0].double()
                # Cross-check the pooling position by hand.
                hs = m.text_model(input_ids=x).last_hidden_state[0]
                first_eos = ids.index(tk.eos_token_id)
                assert torch.allclose(m.text_projection(hs[first_eos]), e, atol=0, rtol=0)
                max_f32_diff = max(max_f32_diff, float((e - e32).abs().max()))
                entry["texts"].append({
                    "text": t,
                    "input_ids": ids,
                    "tokens": tkm.convert_ids_to_tokens(ids),
                    "pool_index": first_eos,
                    "text_embeds": to_list(e),
                    "text_embeds_normalized": to_list(e / e.norm()),
                })
            for name, pv in pixel_values.items():
                x = torch.from_numpy(pv)[None]
                e = m.get_image_features(pixel_values=x.double()).pooler_output[0]
                e32 = m32.get_image_features(pixel_values=x).pooler_output[0].double()
                max_f32_diff = max(max_f32_diff, float((e - e32).abs().max()))
                entry["images"].append({
                    "name": name,
                    "image_embeds": to_list(e),
                    "image_embeds_normalized": to_list(e / e.norm()),
                })
        entry["max_abs_diff_float32_vs_float64"] = max_f32_diff
        reference["models"][mname] = entry
        print(f"{mname}: logit_scale {entry['logit_scale']:.6f}, float32 vs float64 max diff {max_f32_diff:.3g}")

    with open(OUT / "reference.json", "w", encoding="utf-8") as f:
        json.dump(reference, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")

    for e in preprocess:
        print(f"{e['name']}: {e['mode']} {e['size_wh']} -> 32 {e['resized_hw_32']} / 224 {e['resized_hw_224']}, "
              f"raw {e['raw_dtype_32']}, rounding err {e['max_rounding_error_32']}/{e['max_rounding_error_224']}, "
              f"recipe diff {e['normalize_recipe_max_abs_diff']}")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT.relative_to(ROOT)} ({total} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
