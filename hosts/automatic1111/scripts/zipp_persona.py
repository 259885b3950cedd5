"""ZIPP Persona: an always-visible txt2img/img2img script that rewrites the prompt the way a
persona would want the picture, before sampling.

Arguments, in this order (also the order of ``alwayson_scripts["zipp persona"]["args"]`` in
the /sdapi/v1/txt2img and /sdapi/v1/img2img API):

    0 enabled (bool)          1 persona (file name from the dropdown)
    2 backend ("rules" | "gguf" | "openai")   3 base_url (str)   4 model (str)
    5 seed_policy ("follow image seed" | "fixed seed")  6 fixed_seed (int)
    7 k (0..8)                8 word_budget (5..300)
    9 model_path (str, gguf; "" for the default model)   10 unload_after (bool)
    11 taste_clauses (1..3, the strength of the personalization; default 3)

The API key is never an argument: it comes from ZIPP_API_KEY / OPENAI_API_KEY or the zipp
config file.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from modules import scripts, shared

import libzipp
from zipp_a1111 import personas
from zipp_a1111.rewrite import BACKENDS, FOLLOW_IMAGE_SEED, SEED_POLICIES, Request, rewrite_processing

TITLE = "ZIPP Persona"


def _choices() -> list[str]:
    return personas.list_personas(shared.models_path)


class ZippPersonaScript(scripts.Script):
    """Rewrites ``p.all_prompts`` (and hires prompts) from a persona in ``process()``."""

    def title(self) -> str:
        return TITLE

    def show(self, is_img2img: bool) -> Any:
        return scripts.AlwaysVisible

    def ui(self, is_img2img: bool) -> list[Any]:
        choices = _choices()
        with gr.Accordion(TITLE, open=False):
            with gr.Row():
                enabled = gr.Checkbox(label="Rewrite the prompt from a persona", value=False,
                                      elem_id=self.elem_id("enabled"))
            with gr.Row():
                persona = gr.Dropdown(label="Persona", choices=choices, value=choices[0] if choices else None,
                                      elem_id=self.elem_id("persona"))
                refresh = gr.Button(value="\U0001F504", size="sm", elem_id=self.elem_id("refresh"))
            with gr.Row():
                backend = gr.Radio(label="Backend", choices=BACKENDS, value="rules",
                                   elem_id=self.elem_id("backend"))
                base_url = gr.Textbox(label="OpenAI-compatible server URL (empty: config file)", value="",
                                      elem_id=self.elem_id("base_url"))
                model = gr.Textbox(label="Model (empty: config file)", value="", elem_id=self.elem_id("model"))
            with gr.Row():
                model_path = gr.Textbox(label="GGUF model file for gguf (empty: the default model)", value="",
                                        elem_id=self.elem_id("model_path"))
                unload_after = gr.Checkbox(label="Unload the model after rewriting (frees its memory for the "
                                                 "image model)", value=False, elem_id=self.elem_id("unload_after"))
            with gr.Row():
                seed_policy = gr.Radio(label="Rewrite seed", choices=SEED_POLICIES, value=FOLLOW_IMAGE_SEED,
                                       elem_id=self.elem_id("seed_policy"))
                fixed_seed = gr.Number(label="Fixed seed", value=0, precision=0, elem_id=self.elem_id("fixed_seed"))
            with gr.Row():
                k = gr.Slider(label="k (persona examples shown)", minimum=0, maximum=8, step=1, value=3,
                              elem_id=self.elem_id("k"))
                word_budget = gr.Slider(label="Word budget", minimum=5, maximum=300, step=1, value=60,
                                        elem_id=self.elem_id("word_budget"))
                taste_clauses = gr.Slider(label="Strength (taste clauses; fewer keep pictures more varied)",
                                          minimum=1, maximum=3, step=1, value=3,
                                          elem_id=self.elem_id("taste_clauses"))
        refresh.click(fn=lambda: gr.update(choices=_choices()), inputs=[], outputs=[persona])
        return [enabled, persona, backend, base_url, model, seed_policy, fixed_seed, k, word_budget, model_path,
                unload_after, taste_clauses]

    def process(self, p: Any, enabled: bool = False, persona: str = "", backend: str = "rules",
                base_url: str = "", model: str = "", seed_policy: str = FOLLOW_IMAGE_SEED,
                fixed_seed: float = 0, k: float = 3, word_budget: float = 60, model_path: str = "",
                unload_after: bool = False, taste_clauses: float = 3) -> None:
        if not enabled:
            return
        path = personas.persona_file(shared.models_path, persona or "")
        if path is None:
            p.extra_generation_params["ZIPP error"] = f"persona '{persona}' not found"
            print(f"[ZIPP] persona '{persona}' not found; prompts left as they are")
            return
        try:
            loaded = libzipp.Persona.from_file(path)
        except libzipp.ZippError as error:
            p.extra_generation_params["ZIPP error"] = str(error)
            print(f"[ZIPP] persona '{persona}' could not be loaded; prompts left as they are: {error}")
            return
        with loaded:
            request = Request(persona=loaded, backend=backend or "rules", base_url=base_url or "",
                              model=model or "", seed_policy=seed_policy, fixed_seed=int(fixed_seed or 0),
                              k=int(k), word_budget=int(word_budget), model_path=model_path or "",
                              unload_after=bool(unload_after), taste_clauses=int(taste_clauses or 3))
            errors = rewrite_processing(p, request)
        for message in errors:
            print(f"[ZIPP] rewrite failed, original prompt kept: {message}")
