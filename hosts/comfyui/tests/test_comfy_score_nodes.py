"""Persona Score and Persona Pick Best with the committed tiny CLIP checkpoint (random weights):
the scores are the library's CLIPScore and Image-Align, and Pick Best returns the top image."""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

import comfy_host
import libzipp
from host_required import missing

REPO = Path(__file__).resolve().parents[3]
TINY_CLIP = REPO / "tests" / "fixtures" / "clip" / "tiny-quick"
PROMPT = "a red bicycle leaning on a wall"

try:
    import numpy as np
except ImportError:  # ComfyUI always has NumPy; the stand-in host may not
    np = None  # type: ignore[assignment]


@pytest.fixture
def batch() -> Any:
    """Three different 24x20 RGB images as an IMAGE batch (floats in 0..1)."""
    if np is None:
        missing("NumPy is not installed (pip install numpy)")
    y, x = np.mgrid[0:20, 0:24]
    frames = [np.stack([(x * 10) % 256, (y * 12) % 256, (x + y) * 5 % 256], axis=-1),
              np.stack([255 - (x * 10) % 256, np.full_like(x, 40), (y * 12) % 256], axis=-1),
              np.stack([np.full_like(x, 200), (x * y) % 256, np.full_like(x, 10)], axis=-1)]
    return np.stack(frames).astype(np.float32) / 255.0


@pytest.fixture
def checkpoint(models_dir: Path) -> str:
    shutil.copytree(TINY_CLIP, models_dir / "zipp_clip" / "tiny" / "quick")
    return "tiny/quick"


def _png(path: Path, pixels: Any) -> Path:
    """Writes an 8-bit RGB PNG of a (height, width, 3) uint8 array."""
    height, width, _ = pixels.shape
    raw = b"".join(b"\0" + pixels[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
                     + chunk(b"IEND", b""))
    return path


def _u8(batch: Any) -> Any:
    return np.clip(255.0 * batch, 0, 255).astype(np.uint8)


def _persona_with_references(models_dir: Path, names: list[str]) -> libzipp.Persona:
    document = {"schema": "zipp.persona/v1", "id": "ref-test", "text": "I like red bicycles.",
                "x-references": names}
    return libzipp.Persona.from_json(json.dumps(document))


def test_six_nodes_and_the_checkpoint_dropdown(models_dir: Path, checkpoint: str) -> None:
    (models_dir / "zipp_clip" / "incomplete").mkdir(parents=True)
    (models_dir / "zipp_clip" / "incomplete" / "config.json").write_text("{}", encoding="utf-8")
    nodes = comfy_host.load_pack(REPO / "hosts" / "comfyui")[1]
    for node_id in ("ZippPersonaScore", "ZippPersonaPickBest"):
        schema = nodes[node_id].GET_SCHEMA()
        inputs = {i.id: i for i in schema.inputs}
        assert inputs["images"].io_type == "IMAGE" and inputs["persona"].io_type == "ZIPP_PERSONA"
        assert inputs["clip_checkpoint"].options == ["tiny/quick"]
        assert "models/zipp_clip" in schema.description and "clip_vision" in schema.description
    outputs = nodes["ZippPersonaPickBest"].GET_SCHEMA().outputs
    assert [o.io_type for o in outputs] == ["IMAGE", "INT", "FLOAT", "STRING"]


def test_without_checkpoint_the_node_says_where_to_put_one(nodes: dict[str, type], batch: Any) -> None:
    options = {i.id: i for i in nodes["ZippPersonaScore"].GET_SCHEMA().inputs}["clip_checkpoint"].options
    assert options == ["(no CLIP checkpoint in models/zipp_clip)"]
    with pytest.raises(FileNotFoundError, match="zipp_clip"):
        comfy_host.execute(nodes["ZippPersonaScore"], {"images": batch, "clip_checkpoint": options[0],
                                                       "prompt": PROMPT})


def test_clip_score_is_the_library_score(nodes: dict[str, type], checkpoint: str, batch: Any,
                                         tmp_path: Path) -> None:
    (scores_json, mean_clip, mean_align), ui = comfy_host.execute(
        nodes["ZippPersonaScore"], {"images": batch, "clip_checkpoint": checkpoint, "prompt": PROMPT})
    scores = json.loads(scores_json)
    assert [s["index"] for s in scores] == [0, 1, 2]
    with libzipp.Clip(TINY_CLIP) as clip:
        for s, pixels in zip(scores, _u8(batch)):
            expected, cosine = clip.score_text(_png(tmp_path / f"{s['index']}.png", pixels), PROMPT)
            assert s["clip_score"] == pytest.approx(expected, abs=1e-5)
            assert s["cosine"] == pytest.approx(cosine, abs=1e-5)
            assert s["score"] == s["clip_score"]
            assert s["image_align_max"] is None and s["image_align_mean"] is None
    assert mean_clip == pytest.approx(sum(s["clip_score"] for s in scores) / 3)
    assert mean_align == 0.0
    assert len({round(s["cosine"], 6) for s in scores}) == 3  # the images score differently
    assert ui["text"][0].splitlines()[0].startswith("image  score")


def test_image_align_against_the_persona_references(nodes: dict[str, type], checkpoint: str, batch: Any,
                                                    models_dir: Path) -> None:
    refs = models_dir / "personas" / "refs"  # models/personas exists once the pack is loaded
    refs.mkdir()
    pixels = _u8(batch)
    _png(refs / "second.png", pixels[1])
    other = _png(refs.parent / "other.png", pixels[2] // 2)
    persona = _persona_with_references(models_dir, ["refs/second.png", str(other)])
    (scores_json, _, mean_align), _ = comfy_host.execute(
        nodes["ZippPersonaScore"], {"images": batch, "clip_checkpoint": checkpoint, "prompt": PROMPT,
                                    "persona": persona, "reference_weight": 0.25})
    scores = json.loads(scores_json)
    with libzipp.Clip(TINY_CLIP) as clip:
        for s, frame in zip(scores, pixels):
            path = _png(models_dir / f"frame{s['index']}.png", frame)
            best, mean = clip.score_images(path, [refs / "second.png", other])
            assert s["image_align_max"] == pytest.approx(best, abs=1e-5)
            assert s["image_align_mean"] == pytest.approx(mean, abs=1e-5)
            assert s["score"] == pytest.approx(0.75 * s["clip_score"] + 0.25 * 2.5 * max(mean, 0.0))
    assert scores[1]["image_align_max"] == pytest.approx(1.0, abs=1e-5)  # the reference itself
    assert mean_align == pytest.approx(sum(s["image_align_mean"] for s in scores) / 3)


def test_references_only_when_the_prompt_is_empty(nodes: dict[str, type], checkpoint: str, batch: Any,
                                                  models_dir: Path) -> None:
    _png(models_dir / "personas" / "ref.png", _u8(batch)[2])
    persona = _persona_with_references(models_dir, ["ref.png"])
    (_, index, score, scores_json), _ = comfy_host.execute(
        nodes["ZippPersonaPickBest"], {"images": batch, "clip_checkpoint": checkpoint, "prompt": "",
                                       "persona": persona})
    scores = json.loads(scores_json)
    assert all(s["clip_score"] is None for s in scores)
    assert index == 2 and score == pytest.approx(2.5, abs=1e-4)


def test_pick_best_returns_the_top_image(nodes: dict[str, type], checkpoint: str, batch: Any) -> None:
    (image, index, score, scores_json), ui = comfy_host.execute(
        nodes["ZippPersonaPickBest"], {"images": batch, "clip_checkpoint": checkpoint, "prompt": PROMPT})
    scores = json.loads(scores_json)
    top = max(scores, key=lambda s: s["score"])
    assert index == top["index"] and score == top["score"]
    assert image.shape == (1, 20, 24, 3)
    assert np.array_equal(image[0], batch[index])
    assert f"{index:>5}  " in ui["text"][0] and "<- best" in ui["text"][0]


def test_ties_pick_the_first_image(nodes: dict[str, type], checkpoint: str, batch: Any) -> None:
    same = np.stack([batch[1], batch[1], batch[1]])
    (_, index, _, _), _ = comfy_host.execute(
        nodes["ZippPersonaPickBest"], {"images": same, "clip_checkpoint": checkpoint, "prompt": PROMPT})
    assert index == 0


def test_nothing_to_score_against_and_missing_references(nodes: dict[str, type], checkpoint: str,
                                                         batch: Any, models_dir: Path) -> None:
    with pytest.raises(ValueError, match="nothing to score against"):
        comfy_host.execute(nodes["ZippPersonaScore"], {"images": batch, "clip_checkpoint": checkpoint,
                                                       "prompt": "  "})
    persona = _persona_with_references(models_dir, ["nowhere.png"])
    with pytest.raises(FileNotFoundError, match="nowhere.png"):
        comfy_host.execute(nodes["ZippPersonaScore"], {"images": batch, "clip_checkpoint": checkpoint,
                                                       "prompt": PROMPT, "persona": persona})


def test_image_batches_become_rgb8_frames(nodes: dict[str, type], batch: Any) -> None:
    from zipp_comfyui_pack.zipp_comfy import images

    frames = images.rgb8_frames(batch)
    assert len(frames) == 3 and frames[0].shape == (20, 24, 3) and frames[0].dtype == np.uint8
    assert all(f.flags["C_CONTIGUOUS"] for f in frames)
    assert np.array_equal(np.stack(frames), _u8(batch))
    grey = images.rgb8_frames(np.full((2, 3, 1), 0.5, dtype=np.float32))
    assert len(grey) == 1 and grey[0].shape == (2, 3, 3) and (grey[0] == 127).all()
    rgba = np.concatenate([batch, np.zeros(batch.shape[:3] + (1,), dtype=np.float32)], axis=-1)
    assert np.array_equal(np.stack(images.rgb8_frames(rgba)), _u8(batch))
    assert images.rgb8_frames(np.full((1, 1, 1, 3), 2.0))[0].tolist() == [[[255, 255, 255]]]
    for shape in ((3, 4), (1, 2, 2, 2), (0, 2, 2, 3)):
        with pytest.raises(ValueError):
            images.rgb8_frames(np.zeros(shape, dtype=np.float32))
