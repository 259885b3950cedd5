#!/usr/bin/env python3
"""Writes tests/fixtures/jpeg/: JPEG files of the kinds cameras and websites produce, with the pixels
Pillow decodes them to, for the decoder parity test (tests/jpeg_parity.rs).

The picture is photograph-like: multi-octave value noise (texture at every scale), saturated
colour patches with hard edges (where chroma upsampling shows), a soft shadow and sensor noise.
From it, deterministically (fixed seed):

- s420.jpg (4:2:0, quality 90, 97 x 73: odd sizes leave partial blocks and MCUs), s422.jpg
  (4:2:2, quality 85), s444.jpg (4:4:4, quality 95), progressive.jpg (4:2:0, progressive,
  optimized Huffman tables), gray.jpg (grayscale), restart.jpg (4:2:0 with restart markers),
  cmyk.jpg (Adobe CMYK, which libjpeg cannot turn into RGB: the fallback decoder's case);
- <name>.png: what Pillow decodes each file to after convert("RGB"), as transformers'
  CLIPImageProcessor does;
- truncated.jpg: s420.jpg cut in half (Pillow refuses it: "image file is truncated");
- manifest.json: the Pillow and libjpeg-turbo versions and each file's mode and subsampling.

    python3 scripts/jpeg_fixtures.py      (needs numpy and pillow)
"""

import json
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, JpegImagePlugin, features

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "jpeg"


def value_noise(h: int, w: int, rng: np.random.Generator, octaves: int = 5) -> np.ndarray:
    """Sum of bilinearly upsampled random grids, finest last, in 0..1."""
    out = np.zeros((h, w))
    amp, total = 1.0, 0.0
    for o in range(octaves):
        cells = 2 ** (o + 1)
        grid = rng.uniform(size=(cells + 1, cells + 1))
        y = np.linspace(0, cells, h)[:, None]
        x = np.linspace(0, cells, w)[None, :]
        y0, x0 = np.minimum(y.astype(int), cells - 1), np.minimum(x.astype(int), cells - 1)
        fy, fx = y - y0, x - x0
        a, b = grid[y0, x0], grid[y0, x0 + 1]
        c, d = grid[y0 + 1, x0], grid[y0 + 1, x0 + 1]
        out += amp * ((a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy)
        total += amp
        amp *= 0.55
    return out / total


def picture(w: int, h: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    tint = rng.uniform(60, 200, size=(3, 3))
    img = sum(value_noise(h, w, rng)[..., None] * tint[i] for i in range(3)) / 1.5
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    for _ in range(4):  # saturated patches with hard edges
        x0, y0 = rng.integers(0, w - 8), rng.integers(0, h - 8)
        img[y0 : y0 + rng.integers(5, h // 2), x0 : x0 + rng.integers(5, w // 2)] = rng.choice([0, 255], size=3)
    cx, cy = rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * h
    shadow = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (0.08 * w * h))
    img = img * (1 - 0.5 * shadow[..., None]) + rng.normal(0, 2.0, size=img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rgb = Image.fromarray(picture(97, 73, seed=7))
    files = {
        "s420": dict(quality=90, subsampling=2),
        "s422": dict(quality=85, subsampling=1),
        "s444": dict(quality=95, subsampling=0),
        "progressive": dict(quality=80, subsampling=2, progressive=True, optimize=True),
        "restart": dict(quality=88, subsampling=2, restart_marker_blocks=3),
    }
    manifest = {
        "pillow": PIL.__version__,
        "libjpeg_turbo": features.version("libjpeg_turbo"),
        "files": [],
    }
    for name, options in files.items():
        rgb.save(OUT / f"{name}.jpg", **options)
    rgb.convert("L").save(OUT / "gray.jpg", quality=90)
    rgb.convert("CMYK").save(OUT / "cmyk.jpg", quality=90)
    for name in [*files, "gray", "cmyk"]:
        img = Image.open(OUT / f"{name}.jpg")
        sampling = {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}.get(JpegImagePlugin.get_sampling(img), "none")
        manifest["files"].append({"name": name, "mode": img.mode, "size": list(img.size), "subsampling": sampling})
        img.convert("RGB").save(OUT / f"{name}.png", optimize=True)
    data = (OUT / "s420.jpg").read_bytes()
    (OUT / "truncated.jpg").write_bytes(data[: len(data) // 2])
    try:
        Image.open(OUT / "truncated.jpg").convert("RGB")
        raise SystemExit("Pillow decoded the truncated file")
    except OSError as e:
        manifest["truncated"] = f"Pillow: {e}"
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total} bytes, to {OUT}")


if __name__ == "__main__":
    main()
