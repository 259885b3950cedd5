"""CLIPScore and Image-Align of RGB8 frames with a loaded ``libzipp.Clip``, and best-of-N.

- CLIPScore (Hessel et al.): ``2.5 * max(cosine, 0)`` of an image and the prompt text, as
  ``Clip.score_text`` computes it.
- Image-Align: the cosine of an image to each reference image of the persona (max and mean), as
  ``Clip.score_images``. A persona lists its references in the extension field ``x-references``
  (image files; a relative name is looked up in the personas folders).
- The ranking score: the CLIPScore; with references, mixed with the Image-Align mean on the same
  ``2.5 * max(cosine, 0)`` scale, ``(1 - w) * clip + w * align``.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Optional, Sequence

import libzipp

if TYPE_CHECKING:
    import numpy as np

#: CLIPScore's weight (Hessel et al.).
SCALE = 2.5
#: The persona document's field that lists reference images.
REFERENCES_FIELD = "x-references"


@dataclass(frozen=True)
class FrameScore:
    """The scores of one image of the batch; None where there was nothing to score against."""

    index: int
    clip_score: Optional[float]
    cosine: Optional[float]
    image_align_max: Optional[float]
    image_align_mean: Optional[float]
    score: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b)))


def clip_score(cosine: float) -> float:
    """CLIPScore from a cosine similarity."""
    return SCALE * max(cosine, 0.0)


def reference_names(document: dict[str, Any]) -> list[str]:
    """The reference image names a persona document lists (``x-references``), else []."""
    names = document.get(REFERENCES_FIELD, [])
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise ValueError(f"'{REFERENCES_FIELD}' must be a list of image file names")
    return [n.strip() for n in names]


def reference_paths(names: Sequence[str], folders: Sequence[str]) -> list[str]:
    """Each name as an existing file: absolute (``~`` expanded), else the first of ``folders``
    that has it. A missing file raises ``FileNotFoundError``."""
    paths = []
    for name in names:
        given = os.path.expanduser(name)
        candidates = [given] if os.path.isabs(given) else [os.path.join(f, given) for f in folders]
        found = next((c for c in candidates if os.path.isfile(c)), None)
        if found is None:
            where = "" if os.path.isabs(given) else f" (looked in {', '.join(folders) or 'no personas folder'})"
            raise FileNotFoundError(f"reference image '{name}' of the persona not found{where}")
        paths.append(found)
    return paths


def score_frames(model: libzipp.Clip, frames: Sequence["np.ndarray"], prompt: str,
                 references: Sequence[str], reference_weight: float = 0.5) -> list[FrameScore]:
    """Scores each ``(height, width, 3)`` uint8 frame against the prompt and the references."""
    text = model.embed_text(prompt) if prompt.strip() else None
    refs = [model.embed_image_file(path) for path in references]
    if text is None and not refs:
        raise ValueError("nothing to score against: give a prompt, or list reference images in the "
                         f"persona's '{REFERENCES_FIELD}'")
    weight = min(max(float(reference_weight), 0.0), 1.0)
    scores = []
    for index, frame in enumerate(frames):
        height, width = frame.shape[0], frame.shape[1]
        image = model.embed_image_rgb8(frame, width, height)
        cosine = _dot(image, text) if text is not None else None
        sims = [_dot(image, ref) for ref in refs]
        best = max(sims) if sims else None
        mean = sum(sims) / len(sims) if sims else None
        text_part = clip_score(cosine) if cosine is not None else None
        align_part = clip_score(mean) if mean is not None else None
        if text_part is not None and align_part is not None:
            score = (1.0 - weight) * text_part + weight * align_part
        else:
            score = text_part if text_part is not None else align_part
        assert score is not None
        scores.append(FrameScore(index, text_part, cosine, best, mean, score))
    return scores


def best_of(scores: Sequence[FrameScore]) -> FrameScore:
    """The highest ranking score; the first image on a tie."""
    return max(scores, key=lambda s: (s.score, -s.index))


def mean(values: Sequence[Optional[float]]) -> float:
    """The mean of the values that were computed; 0.0 when none was."""
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else 0.0


def to_json(scores: Sequence[FrameScore]) -> str:
    """The scores as a JSON list, one object per image."""
    return json.dumps([s.as_dict() for s in scores])


def table(scores: Sequence[FrameScore], chosen: Optional[int] = None) -> str:
    """A text table for the node: one line per image, the chosen one marked."""

    def cell(value: Optional[float]) -> str:
        return "-" if value is None else f"{value:.4f}"

    lines = ["image  score   CLIPScore  align max  align mean"]
    for s in scores:
        mark = " <- best" if chosen == s.index else ""
        lines.append(f"{s.index:>5}  {s.score:.4f}  {cell(s.clip_score):>9}  {cell(s.image_align_max):>9}  "
                     f"{cell(s.image_align_mean):>10}{mark}")
    return "\n".join(lines)
