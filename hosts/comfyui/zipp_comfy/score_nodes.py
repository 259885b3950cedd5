"""Persona Score and Persona Pick Best: CLIPScore and Image-Align of an IMAGE batch, best-of-N."""

from __future__ import annotations

from typing import Any, Optional

from comfy_api.latest import io, ui

import libzipp

from . import clip_models, folders, images, scoring
from .common import CATEGORY, Persona

#: What both descriptions say about the checkpoint each score needs.
CHECKPOINTS = ("Both scores need a full CLIP checkpoint (text and vision towers, as transformers saves a "
               "CLIPModel: config.json, model.safetensors, tokenizer.json) in a folder under "
               "models/zipp_clip; CLIPScore uses its text tower, Image-Align its vision tower. "
               "Vision-only clip_vision files are not supported yet.")


def _inputs() -> list[Any]:
    """The inputs both nodes take."""
    return [
        io.Image.Input("images", tooltip="The images to score (a batch)."),
        io.Combo.Input("clip_checkpoint", options=clip_models.checkpoints() or [clip_models.NO_CHECKPOINT],
                       tooltip="A CLIP model folder under models/zipp_clip (config.json, model.safetensors, "
                               "tokenizer.json)."),
        io.String.Input("prompt", multiline=True, default="",
                        tooltip="CLIPScore is taken against this text (connect the rewrite or the original "
                                "prompt); empty: Image-Align only."),
        Persona.Input("persona", optional=True,
                      tooltip="Image-Align against the reference images the persona lists in x-references."),
        io.Float.Input("reference_weight", default=0.5, min=0.0, max=1.0, step=0.05, optional=True,
                       tooltip="With both scores: how much Image-Align counts in the ranking score "
                               "(0: CLIPScore only, 1: Image-Align only)."),
    ]


def score_batch(images_in: Any, clip_checkpoint: str, prompt: str, persona: Optional[libzipp.Persona],
                reference_weight: float) -> list[scoring.FrameScore]:
    """Scores every image of the batch with the chosen checkpoint."""
    model = clip_models.load(clip_checkpoint)
    names = scoring.reference_names(persona.to_dict()) if persona is not None else []
    references = scoring.reference_paths(names, folders.persona_folders())
    return scoring.score_frames(model, images.rgb8_frames(images_in), prompt or "", references,
                                reference_weight)


class PersonaScore(io.ComfyNode):
    """CLIPScore against the prompt and Image-Align against the persona's reference images."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ZippPersonaScore",
            display_name="Persona Score",
            category=CATEGORY,
            description="Scores each image of the batch: CLIPScore (2.5 * max(cosine, 0)) against the "
                        "prompt, and Image-Align (max and mean cosine) against the reference images the "
                        "persona lists in x-references. " + CHECKPOINTS,
            is_output_node=True,
            inputs=_inputs(),
            outputs=[
                io.String.Output("scores", display_name="scores",
                                 tooltip="JSON: per image index, score, clip_score, cosine, "
                                         "image_align_max, image_align_mean (null when not computed)."),
                io.Float.Output("clip_score", display_name="clip_score",
                                tooltip="Mean CLIPScore of the batch (0 without a prompt)."),
                io.Float.Output("image_align", display_name="image_align",
                                tooltip="Mean Image-Align (mean cosine) of the batch (0 without references)."),
            ],
        )

    @classmethod
    def execute(cls, images: Any, clip_checkpoint: str, prompt: str = "",
                persona: Optional[libzipp.Persona] = None, reference_weight: float = 0.5) -> io.NodeOutput:
        scores = score_batch(images, clip_checkpoint, prompt, persona, reference_weight)
        return io.NodeOutput(scoring.to_json(scores), scoring.mean([s.clip_score for s in scores]),
                             scoring.mean([s.image_align_mean for s in scores]),
                             ui=ui.PreviewText(scoring.table(scores)))


class PersonaPickBest(io.ComfyNode):
    """Best-of-N: the image of the batch with the highest score."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ZippPersonaPickBest",
            display_name="Persona Pick Best",
            category=CATEGORY,
            description="Best-of-N: scores the batch as Persona Score does and returns the image with "
                        "the highest ranking score (CLIPScore, mixed with Image-Align by "
                        "reference_weight when the persona lists reference images), its index and "
                        "score. " + CHECKPOINTS,
            is_output_node=True,
            inputs=_inputs(),
            outputs=[
                io.Image.Output("image", display_name="image"),
                io.Int.Output("index", display_name="index"),
                io.Float.Output("score", display_name="score"),
                io.String.Output("scores", display_name="scores"),
            ],
        )

    @classmethod
    def execute(cls, images: Any, clip_checkpoint: str, prompt: str = "",
                persona: Optional[libzipp.Persona] = None, reference_weight: float = 0.5) -> io.NodeOutput:
        scores = score_batch(images, clip_checkpoint, prompt, persona, reference_weight)
        best = scoring.best_of(scores)
        return io.NodeOutput(images[best.index:best.index + 1], best.index, best.score, scoring.to_json(scores),
                             ui=ui.PreviewText(scoring.table(scores, chosen=best.index)))


__all__ = ["PersonaScore", "PersonaPickBest", "score_batch"]
