"""Persona Rewrite: the prompt rewritten as the persona would want the picture."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Optional

from comfy_api.latest import io, ui

import libzipp

from .common import CATEGORY, POOL, RULES, LLMSettings, Persona

LOG = logging.getLogger("libzipp.comfyui")
SEED_MAX = 0xFFFFFFFFFFFFFFFF

#: The widgets that the fingerprint covers (linked ones arrive as None).
FINGERPRINTED = ("prompt", "seed", "k", "word_budget", "taste_clauses")

#: Failed rewrites for this process, per widget key. A failure bumps its count, which changes
#: the fingerprint, so that ComfyUI runs the node again on the next queue instead of serving
#: the cached passthrough; a success leaves the count (and the cached result) alone.
_FAILURES: dict[str, int] = {}


def rewrite(persona: libzipp.Persona, prompt: str, settings: Optional[dict[str, Any]], seed: int, k: int,
            word_budget: int, taste_clauses: int = 3) -> tuple[str, str, Optional[str]]:
    """(rewrite, thinking, error message). On any failure the original prompt comes back."""
    options = {"seed": int(seed), "k": int(k), "word_budget": int(word_budget),
               "taste_clauses": int(taste_clauses), "on_error": "passthrough"}
    try:
        result = POOL.get(settings or RULES).rewrite(persona, prompt, options)
    except (libzipp.ZippError, ValueError) as error:
        return prompt, "", str(error)
    if result.error is not None:
        return result.rewrite, result.thinking or "", f"{result.error.message} [{result.error.status}]"
    return result.rewrite, result.thinking or "", None


def unload_models() -> int:
    """Gives every loaded GGUF model's memory back (for the image model); returns how many."""
    count = libzipp.unload_models()
    if count:
        LOG.info("Persona Rewrite unloaded %d GGUF model(s)", count)
    return count


def widget_key(constants: dict[str, Any]) -> str:
    """The fingerprinted widget values as one string; never raises."""
    values = [constants.get(name) for name in FINGERPRINTED]
    try:
        return json.dumps(values, default=repr)
    except Exception:  # noqa: BLE001 - a fingerprint must not fail
        return repr(values)


def failure_count(key: str) -> int:
    """How often the rewrite with this widget key failed in this process."""
    return _FAILURES.get(key, 0)


def record_failure(key: str) -> None:
    """Counts a failed rewrite, so its next fingerprint differs."""
    _FAILURES[key] = _FAILURES.get(key, 0) + 1


def _queued_constants(hidden: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The node's widget constants as the fingerprint saw them: from the queued prompt (links
    as None) when ComfyUI passes it, else the values the node ran with."""
    prompt = getattr(hidden, "prompt", None) if hidden is not None else None
    unique_id = getattr(hidden, "unique_id", None) if hidden is not None else None
    node = prompt.get(str(unique_id)) if isinstance(prompt, dict) and unique_id is not None else None
    if not isinstance(node, dict) or not isinstance(node.get("inputs"), dict):
        return values
    return {name: (None if isinstance(value, list) else value) for name, value in node["inputs"].items()}


class PersonaRewrite(io.ComfyNode):
    """Rewrites a prompt for a persona; errors pass the original prompt through."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ZippPersonaRewrite",
            display_name="Persona Rewrite",
            category=CATEGORY,
            description="Rewrites the prompt the way the persona would want the picture. The same "
                        "seed gives the same rewrite (cached); on a backend error the original "
                        "prompt is passed through, the message is shown and the next queue runs "
                        "the node again.",
            is_output_node=True,
            hidden=[io.Hidden.unique_id],
            inputs=[
                Persona.Input("persona"),
                io.String.Input("prompt", multiline=True, default=""),
                LLMSettings.Input("llm", optional=True,
                                  tooltip="From Persona LLM Settings; the rules backend when unconnected."),
                io.Int.Input("seed", default=0, min=0, max=SEED_MAX, control_after_generate=True),
                io.Int.Input("k", default=3, min=0, max=8, tooltip="Examples of the persona shown to the model."),
                io.Int.Input("word_budget", default=60, min=5, max=300),
                io.Boolean.Input("unload_model_after", default=False, optional=True,
                                 tooltip="gguf: unload the model after the rewrite so its memory goes back "
                                         "to the image model; the next rewrite loads it again."),
                io.Int.Input("taste_clauses", default=3, min=1, max=3, optional=True,
                             tooltip="Strength of the personalization: taste clauses added at most. "
                                     "Fewer keep the persona's pictures more varied."),
            ],
            outputs=[
                io.String.Output("rewrite", display_name="rewrite"),
                io.String.Output("original", display_name="original"),
                io.String.Output("thinking", display_name="thinking"),
            ],
        )

    @classmethod
    def execute(cls, persona: libzipp.Persona, prompt: str, seed: int, k: int, word_budget: int,
                llm: Optional[dict[str, Any]] = None, unload_model_after: bool = False,
                taste_clauses: int = 3) -> io.NodeOutput:
        text, thinking, error = rewrite(persona, prompt, llm, seed, k, word_budget, taste_clauses)
        if unload_model_after:
            unload_models()
        if error is None:
            shown = text
        else:
            LOG.warning("Persona Rewrite passed the prompt through: %s", error)
            values = {"prompt": prompt, "seed": seed, "k": k, "word_budget": word_budget,
                      "taste_clauses": taste_clauses}
            record_failure(widget_key(_queued_constants(cls.hidden, values)))
            shown = f"rewrite failed, original prompt passed through:\n{error}\n\n{prompt}"
        return io.NodeOutput(text, prompt, thinking, ui=ui.PreviewText(shown))

    @classmethod
    def fingerprint_inputs(cls, persona: Any = None, prompt: Any = None, seed: Any = None, k: Any = None,
                           word_budget: Any = None, llm: Any = None, unload_model_after: Any = None,
                           taste_clauses: Any = None) -> str:
        """The widget constants (linked inputs arrive as None) and how often that rewrite failed:
        a fixed seed reuses the result, a new seed runs again, and so does the next queue after
        a failure. Never raises."""
        key = widget_key({"prompt": prompt, "seed": seed, "k": k, "word_budget": word_budget,
                          "taste_clauses": taste_clauses})
        text = f"{key}\nfailures={failure_count(key)}"
        return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
