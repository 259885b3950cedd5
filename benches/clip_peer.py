#!/usr/bin/env python3
"""transformers peer for the CLIP image-embedding throughput benchmark (CPU, float32).

For each model kind in --models this script

1. creates, once, a random-weight CLIP checkpoint folder DIR/<kind>/ (skipped when
   DIR/<kind>/model.safetensors already exists) that the Rust side loads with libzipp's CLIP:
   config.json, model.safetensors (float32, `CLIPModel(config)` after torch.manual_seed(0)),
   tokenizer.json, tokenizer_config.json, preprocessor_config.json;
     - tiny: the config of tests/fixtures/clip/tiny-quick (hidden 32, 2 layers, patch 8,
       image 32) and that folder's tokenizer and preprocessor files;
     - b32:  ViT-B/32 sizes (vision 768/3072, 12 layers, 12 heads, image 224, patch 32; text
       512/2048, 12 layers, 8 heads, 77 positions; projection 512; quick_gelu), with the tiny
       tokenizer's vocab (664, bos 662, eos/pad 663) so its tokenizer.json is reused, and a
       PIL CLIPImageProcessor at shortest_edge 224, crop 224x224;
2. writes DIR/<kind>/pixels.f32: --images deterministic synthetic 320x240 RGB pictures (numpy
   seeded gradients + waves + noise) run through the folder's PIL CLIPImageProcessor;
   little-endian float32, N x 3 x S x S, channels first (S = the model's image size);
3. times `model.get_image_features(pixel_values=...)` on those pixels: torch.set_num_threads
   (--threads), eval mode, torch.inference_mode(), one warm-up batch, then --repeats passes over
   all images in batches of --batch; reports the median images/s over the passes.
   Preprocessing is NOT timed: both sides feed the same pixels.f32 to the model forward;
4. writes DIR/<kind>/embeds.f32: the projected, unnormalized image features of the first 4
   images (one batch of 4; little-endian float32, 4 x projection_dim) for the Rust side to check
   that it computes the same thing (expected within 1e-4 relative).

Output, one machine-readable line per model:
    RESULT peer=transformers model=<kind> images_per_s=X batch=B threads=T

Usage:
    python3 benches/clip_peer.py --out /tmp/zipp-clip-bench
    python3 benches/clip_peer.py --out DIR [--threads 2 --images 64 --batch 16 --repeats 3 --models tiny,b32]
Needs: torch, transformers (>= 5 preferred), pillow, numpy. CPU only.
"""
import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

import numpy as np
import PIL
import torch
import transformers
from PIL import Image
from transformers import CLIPConfig, CLIPModel

try:  # transformers >= 5: CLIPImageProcessor is the torchvision backend; the PIL one has its own name.
    from transformers import CLIPImageProcessorPil as PilCLIPImageProcessor
except ImportError:  # transformers 4.x: CLIPImageProcessor is the slow PIL one.
    from transformers import CLIPImageProcessor as PilCLIPImageProcessor

ROOT = Path(__file__).resolve().parents[1]
TINY_FIXTURE = ROOT / "tests" / "fixtures" / "clip" / "tiny-quick"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")
KINDS = ("tiny", "b32")
IMAGE_W, IMAGE_H = 320, 240
N_EMBEDS = 4
SEED = 0


# ----------------------------------------------------------------------------------------------
# Model folders
# ----------------------------------------------------------------------------------------------


def tokenizer_vocab_size(path: Path) -> int:
    """Number of ids in a tokenizer.json: model vocab plus added tokens."""
    tok = json.loads(path.read_text())
    ids = list(tok["model"]["vocab"].values()) + [t["id"] for t in tok.get("added_tokens", [])]
    return max(ids) + 1


def tiny_config() -> CLIPConfig:
    return CLIPConfig.from_json_file(str(TINY_FIXTURE / "config.json"))


def b32_config() -> CLIPConfig:
    """ViT-B/32 sizes; the text tower uses the tiny tokenizer's vocab and special ids."""
    tiny_text = tiny_config().text_config
    vocab = tokenizer_vocab_size(TINY_FIXTURE / "tokenizer.json")
    assert vocab == tiny_text.vocab_size, (vocab, tiny_text.vocab_size)
    text = dict(
        hidden_size=512,
        intermediate_size=2048,
        num_hidden_layers=12,
        num_attention_heads=8,
        max_position_embeddings=77,
        hidden_act="quick_gelu",
        vocab_size=vocab,
        bos_token_id=tiny_text.bos_token_id,
        eos_token_id=tiny_text.eos_token_id,
        pad_token_id=tiny_text.pad_token_id,
    )
    vision = dict(
        hidden_size=768,
        intermediate_size=3072,
        num_hidden_layers=12,
        num_attention_heads=12,
        image_size=224,
        patch_size=32,
        num_channels=3,
        hidden_act="quick_gelu",
    )
    return CLIPConfig(text_config=text, vision_config=vision, projection_dim=512)


def create_model_folder(kind: str, folder: Path) -> None:
    """Writes config, random float32 weights, tokenizer and preprocessor files into folder."""
    config = tiny_config() if kind == "tiny" else b32_config()
    torch.manual_seed(SEED)
    model = CLIPModel(config).to(torch.float32)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    for name in TOKENIZER_FILES:
        shutil.copyfile(TINY_FIXTURE / name, folder / name)
    if kind == "tiny":
        shutil.copyfile(TINY_FIXTURE / "preprocessor_config.json", folder / "preprocessor_config.json")
    else:
        proc = PilCLIPImageProcessor(size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224})
        proc.save_pretrained(folder)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{kind}: created {folder} ({n_params / 1e6:.2f}M parameters)")


# ----------------------------------------------------------------------------------------------
# Pixels
# ----------------------------------------------------------------------------------------------


def synthetic_image(index: int) -> Image.Image:
    """A deterministic IMAGE_W x IMAGE_H RGB picture: two-colour gradient, a wave and noise."""
    rng = np.random.default_rng(1000 + index)
    y, x = np.mgrid[0:IMAGE_H, 0:IMAGE_W].astype(np.float64)
    u, v = x / (IMAGE_W - 1), y / (IMAGE_H - 1)
    c0, c1, c2 = rng.uniform(20, 235, size=(3, 3))
    t = rng.uniform(0.2, 0.8)
    mix = (t * u + (1 - t) * v)[..., None]
    img = (1 - mix) * c0 + mix * c1
    freq, phase = rng.uniform(1, 6), rng.uniform(0, 2 * np.pi)
    img += np.sin(2 * np.pi * freq * (u + 0.5 * v) + phase)[..., None] * (c2 - 128) * 0.3
    img += rng.normal(0, 8.0, size=img.shape)
    return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), mode="RGB")


def make_pixels(folder: Path, n_images: int) -> np.ndarray:
    """Preprocesses n_images synthetic pictures with the folder's PIL processor; N x 3 x S x S float32."""
    proc = PilCLIPImageProcessor.from_pretrained(folder)
    chunks = []
    for start in range(0, n_images, 16):
        images = [synthetic_image(i) for i in range(start, min(start + 16, n_images))]
        chunks.append(proc(images=images, return_tensors="np")["pixel_values"])
    pixels = np.ascontiguousarray(np.concatenate(chunks), dtype=np.float32)
    pixels.astype("<f4").tofile(folder / "pixels.f32")
    return pixels


# ----------------------------------------------------------------------------------------------
# Benchmark
# ----------------------------------------------------------------------------------------------


def image_features(model: CLIPModel, pixel_values: torch.Tensor) -> torch.Tensor:
    """Projected (unnormalized) image embeddings; transformers 5 returns them as pooler_output."""
    out = model.get_image_features(pixel_values=pixel_values)
    return out if isinstance(out, torch.Tensor) else out.pooler_output


def bench(kind: str, folder: Path, args: argparse.Namespace) -> float:
    pixels = make_pixels(folder, args.images)
    model = CLIPModel.from_pretrained(folder, dtype=torch.float32)
    model.eval()
    attn = getattr(model.config.vision_config, "_attn_implementation", None)
    print(f"{kind}: pixels {tuple(pixels.shape)}, attention {attn}")
    x = torch.from_numpy(pixels)
    n = x.shape[0]
    pass_rates = []
    with torch.inference_mode():
        embeds = image_features(model, x[:N_EMBEDS]).to(torch.float32).numpy()
        embeds.astype("<f4").tofile(folder / "embeds.f32")
        image_features(model, x[: args.batch])  # warm-up
        for r in range(args.repeats):
            t0 = time.perf_counter()
            for start in range(0, n, args.batch):
                image_features(model, x[start : start + args.batch])
            dt = time.perf_counter() - t0
            pass_rates.append(n / dt)
            print(f"{kind}: pass {r + 1}/{args.repeats}: {dt:.3f} s, {n / dt:.1f} images/s")
    print(f"{kind}: embeds.f32 {embeds.shape}, first row norm {float(np.linalg.norm(embeds[0])):.4f}")
    return statistics.median(pass_rates)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path, help="folder for the model folders and data")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--images", type=int, default=64)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--models", default="tiny,b32", help=f"comma-separated, of {','.join(KINDS)}")
    args = ap.parse_args()
    kinds = [k.strip() for k in args.models.split(",") if k.strip()]
    for k in kinds:
        if k not in KINDS:
            ap.error(f"unknown model kind {k!r} (known: {', '.join(KINDS)})")
    if args.images < N_EMBEDS or args.batch < 1 or args.repeats < 1 or args.threads < 1:
        ap.error(f"need --images >= {N_EMBEDS} and positive --batch, --repeats, --threads")

    transformers.utils.logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, pillow {PIL.__version__}, "
          f"numpy {np.__version__}; threads {torch.get_num_threads()}")

    results = []
    for kind in kinds:
        folder = args.out / kind
        if (folder / "model.safetensors").exists():
            print(f"{kind}: reusing {folder}")
        else:
            create_model_folder(kind, folder)
        rate = bench(kind, folder, args)
        results.append(f"RESULT peer=transformers model={kind} images_per_s={rate:.2f} "
                       f"batch={args.batch} threads={args.threads}")
        print(results[-1], flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
