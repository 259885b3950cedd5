"""Rewriting a processing object's prompts: one rewrite per distinct prompt, recorded in the
image's generation parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import libzipp
from libzipp import host_config

FOLLOW_IMAGE_SEED = "follow image seed"
FIXED_SEED = "fixed seed"
SEED_POLICIES = [FOLLOW_IMAGE_SEED, FIXED_SEED]
#: The backend choices, the default (model-free) first.
BACKENDS = ["rules", "gguf", "openai"]

#: One shared rewriter per backend setting for the whole web UI process.
POOL = libzipp.RewriterPool()


@dataclass
class Request:
    """What the user asked for, from the script's arguments."""

    persona: libzipp.Persona
    backend: str
    base_url: str
    model: str
    seed_policy: str
    fixed_seed: int
    k: int
    word_budget: int
    model_path: str = ""
    unload_after: bool = False
    taste_clauses: int = 3


def _seed_for(p: Any, index: int, request: Request) -> int:
    if request.seed_policy == FIXED_SEED:
        return max(int(request.fixed_seed), 0)
    seeds = getattr(p, "all_seeds", None) or []
    seed = seeds[index] if index < len(seeds) else getattr(p, "seed", 0)
    return max(int(seed), 0)


def _param(values: Sequence[str]) -> Union[str, list[str]]:
    """One value for all images, or a list that the web UI indexes per image (1.7+, Forge)."""
    return values[0] if len(set(values)) == 1 else list(values)


def _backend_label(settings: dict[str, Any]) -> str:
    """The backend and model for the PNG info: a model name, or a GGUF file's name (no folder)."""
    if settings["backend"] == "gguf":
        return f"gguf {Path(settings.get('model_path') or libzipp.default_model_path() or '').name}".strip()
    return settings["backend"] + (f" {settings['model']}" if settings.get("model") else "")


def rewrite_processing(p: Any, request: Request) -> list[str]:
    """Rewrites ``p.all_prompts`` (and ``p.all_hr_prompts`` when hires fix is on) in place.

    Each distinct prompt is rewritten once; a backend failure keeps the original prompt. With
    ``unload_after`` the GGUF models are unloaded afterwards, before sampling. The persona,
    backend, originals and any error go to ``p.extra_generation_params``. Returns the error
    messages (empty when every rewrite worked).
    """
    try:
        settings = host_config.backend_settings(request.backend, request.base_url, request.model,
                                                model_path=request.model_path)
    except ValueError as error:
        p.extra_generation_params["ZIPP error"] = str(error)
        return [str(error)]
    errors: list[str] = []
    done: dict[str, str] = {}

    def rewrite_one(prompt: str, index: int) -> str:
        if prompt in done:
            return done[prompt]
        options = {"seed": _seed_for(p, index, request), "k": int(request.k),
                   "word_budget": int(request.word_budget), "taste_clauses": int(request.taste_clauses),
                   "on_error": "passthrough"}
        try:
            result = POOL.get(settings).rewrite(request.persona, prompt, options)
            text = result.rewrite
            if result.error is not None:
                errors.append(f"{result.error.message} [{result.error.status}]")
        except (libzipp.ZippError, ValueError) as error:
            text = prompt
            errors.append(str(error))
        done[prompt] = text
        return text

    originals = list(p.all_prompts)
    p.all_prompts = [rewrite_one(prompt, i) for i, prompt in enumerate(originals)]
    hr_originals: Optional[list[str]] = None
    if getattr(p, "enable_hr", False) and getattr(p, "all_hr_prompts", None):
        hr_originals = list(p.all_hr_prompts)
        p.all_hr_prompts = [rewrite_one(prompt, i) for i, prompt in enumerate(hr_originals)]
    if hasattr(p, "main_prompt") and p.all_prompts:
        p.main_prompt = p.all_prompts[0]
    if request.unload_after:
        libzipp.unload_models()

    params = p.extra_generation_params
    params["ZIPP persona"] = request.persona.id or request.persona.name or request.persona.hash()[:16]
    params["ZIPP backend"] = _backend_label(settings)
    params["ZIPP original prompt"] = _param(originals)
    if hr_originals is not None and hr_originals != originals:
        params["ZIPP original hires prompt"] = _param(hr_originals)
    if errors:
        params["ZIPP error"] = "; ".join(dict.fromkeys(errors))
    return errors
