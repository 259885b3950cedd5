"""libzipp.Clip on the committed tiny CLIP checkpoint (random weights, 16-float embeddings)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterator

import pytest

import libzipp

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "clip"
MODEL = FIXTURES / "tiny-quick"
IMAGES = FIXTURES / "images"
RGB = IMAGES / "rgb.png"
PNGS = sorted(IMAGES.glob("*.png"))


def _norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b))


def _synthetic_rows(width: int, height: int) -> list[bytes]:
    """Packed RGB8 rows of a small gradient with some structure."""
    return [bytes(((x * 31 + y * 17 + c * 70) * (c + 1)) % 256 for x in range(width) for c in range(3))
            for y in range(height)]


@pytest.fixture(scope="module")
def clip() -> Iterator[libzipp.Clip]:
    with libzipp.Clip(MODEL) as model:
        yield model


def test_load_dim_and_repr(clip: libzipp.Clip) -> None:
    assert clip.dim == 16
    assert not clip.closed
    assert "dim=16" in repr(clip)
    assert len(PNGS) >= 3


def test_embeddings_have_unit_length(clip: libzipp.Clip) -> None:
    text = clip.embed_text("a red bicycle leaning on a wall")
    assert len(text) == 16 and all(isinstance(x, float) for x in text)
    assert _norm(text) == pytest.approx(1.0, abs=1e-5)
    for png in PNGS:
        image = clip.embed_image_file(png)
        assert len(image) == 16
        assert _norm(image) == pytest.approx(1.0, abs=1e-5)
    assert clip.embed_image_file(str(RGB)) == clip.embed_image_file(RGB)  # str and PathLike alike
    assert clip.embed_text("a cat") != clip.embed_text("a dog")


def test_rgb8_row_padding_is_ignored(clip: libzipp.Clip) -> None:
    width, height = 8, 6
    rows = _synthetic_rows(width, height)
    packed = b"".join(rows)
    padded = b"".join(row + b"\xaa" * 4 for row in rows)
    stride = width * 3 + 4
    embedding = clip.embed_image_rgb8(packed, width, height)
    assert len(embedding) == 16
    assert _norm(embedding) == pytest.approx(1.0, abs=1e-5)
    assert clip.embed_image_rgb8(padded, width, height, stride) == embedding
    assert clip.embed_image_rgb8(bytearray(padded), width, height, stride=stride) == embedding
    assert clip.embed_image_rgb8(memoryview(packed), width, height, width * 3) == embedding
    other = bytes(255 - b for b in packed)
    assert clip.embed_image_rgb8(other, width, height) != embedding


def test_rgb8_writable_buffer_is_released(clip: libzipp.Clip) -> None:
    buffer = bytearray(b"".join(_synthetic_rows(8, 6)))
    clip.embed_image_rgb8(buffer, 8, 6)
    buffer.extend(b"\0")  # would raise BufferError were the buffer still exported


def test_rgb8_short_buffer_and_bad_sizes(clip: libzipp.Clip) -> None:
    packed = b"".join(_synthetic_rows(8, 6))
    with pytest.raises(ValueError, match="144"):
        clip.embed_image_rgb8(packed[:-1], 8, 6)
    with pytest.raises(ValueError, match="168"):
        clip.embed_image_rgb8(packed + b"\0" * 20, 8, 6, stride=28)  # 164 of 168 bytes
    with pytest.raises(ValueError):
        clip.embed_image_rgb8(packed, -1, 6)
    with pytest.raises(libzipp.InvalidOptionsError, match="stride"):
        clip.embed_image_rgb8(packed, 8, 6, stride=10)  # below width * 3
    with pytest.raises(libzipp.InvalidOptionsError):
        clip.embed_image_rgb8(b"", 0, 0)


def test_score_text_is_clipscore_of_the_cosine(clip: libzipp.Clip) -> None:
    cosines = []
    for png in PNGS:
        for text in ("house", "sky", "a photo", "noise"):  # random weights: some cosines > 0, some < 0
            score, cosine = clip.score_text(png, text)
            expected = _dot(clip.embed_image_file(png), clip.embed_text(text))
            assert cosine == pytest.approx(expected, abs=1e-5)
            assert score == pytest.approx(2.5 * max(cosine, 0.0), abs=1e-12)
            cosines.append(cosine)
    assert max(cosines) > 0 > min(cosines)  # both branches of max(cosine, 0) were checked
    assert all(-1.0 - 1e-6 <= c <= 1.0 + 1e-6 for c in cosines)


def test_score_images_against_itself(clip: libzipp.Clip) -> None:
    best, mean = clip.score_images(RGB, PNGS)
    assert RGB in PNGS
    assert best > 0.99999
    assert mean < best
    embedding = clip.embed_image_file(RGB)
    cosines = [_dot(embedding, clip.embed_image_file(png)) for png in PNGS]
    assert mean == pytest.approx(sum(cosines) / len(cosines), abs=1e-5)
    only_others = [png for png in PNGS if png != RGB]
    other_best, _ = clip.score_images(str(RGB), [str(png) for png in only_others])
    assert other_best == pytest.approx(max(c for c, png in zip(cosines, PNGS) if png != RGB), abs=1e-5)


def test_score_images_needs_a_list_of_references(clip: libzipp.Clip) -> None:
    with pytest.raises(libzipp.InvalidOptionsError, match="count"):
        clip.score_images(RGB, [])
    with pytest.raises(TypeError):
        clip.score_images(RGB, str(RGB))


def test_missing_folder_and_images(clip: libzipp.Clip, tmp_path: Path) -> None:
    with pytest.raises(libzipp.ZippIOError) as info:
        libzipp.Clip(tmp_path / "no-model")
    assert isinstance(info.value, OSError)
    missing = tmp_path / "nothing.png"
    with pytest.raises(libzipp.ZippIOError, match="nothing.png"):
        clip.embed_image_file(missing)
    with pytest.raises(libzipp.ZippIOError):
        clip.score_text(missing, "a cat")
    with pytest.raises(libzipp.ZippIOError):
        clip.score_images(RGB, [RGB, missing])


def test_closed_model_is_refused() -> None:
    model = libzipp.Clip(MODEL)
    model.close()
    model.close()
    assert model.closed
    assert repr(model) == "<libzipp.Clip closed>"
    assert model.dim == 16
    with pytest.raises(libzipp.NullPointerError, match="clip"):
        model.embed_text("a cat")
    with pytest.raises(libzipp.NullPointerError):
        model.embed_image_file(RGB)
    with pytest.raises(libzipp.NullPointerError):
        model.embed_image_rgb8(bytes(3), 1, 1)
    with pytest.raises(libzipp.NullPointerError):
        model.score_text(RGB, "a cat")
    with pytest.raises(libzipp.NullPointerError):
        model.score_images(RGB, [RGB])


def test_buffer_too_small_error_class() -> None:
    error = libzipp.BufferTooSmallError("out too small")
    assert error.status == 25
    assert isinstance(error, ValueError) and isinstance(error, libzipp.ZippError)
