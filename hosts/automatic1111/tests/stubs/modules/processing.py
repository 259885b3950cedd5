"""Stand-in for ``modules.processing``: the processing objects' prompt fields with the web UI's
``setup_prompts`` (styles left out), and ``create_infotext`` with its handling of
``extra_generation_params`` (per-image lists, callables, quoting)."""

from __future__ import annotations

import json
from typing import Any, Optional


def quote(text: Any) -> str:
    """infotext_utils.quote: JSON-quotes a value holding a comma, colon, quote or newline."""
    if ',' not in str(text) and '\n' not in str(text) and ':' not in str(text):
        return str(text)
    return json.dumps(text, ensure_ascii=False)


class StableDiffusionProcessing:
    """The fields of a generation job that scripts read and write."""

    def __init__(self, prompt: Any = "", negative_prompt: str = "", seed: int = -1, batch_size: int = 1,
                 n_iter: int = 1, steps: int = 20) -> None:
        self.prompt = prompt
        self.negative_prompt = negative_prompt
        self.seed = seed
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.steps = steps
        self.extra_generation_params: dict[str, Any] = {}
        self.all_prompts: list[str] = []
        self.all_negative_prompts: list[str] = []
        self.all_seeds: list[int] = []
        self.main_prompt: Optional[str] = None
        self.scripts: Any = None
        self.script_args: list[Any] = []

    def setup_prompts(self) -> None:
        if isinstance(self.prompt, list):
            self.all_prompts = self.prompt
        else:
            self.all_prompts = self.batch_size * self.n_iter * [self.prompt]
        if isinstance(self.negative_prompt, list):
            self.all_negative_prompts = self.negative_prompt
        else:
            self.all_negative_prompts = self.batch_size * self.n_iter * [self.negative_prompt]
        self.main_prompt = self.all_prompts[0]


class StableDiffusionProcessingTxt2Img(StableDiffusionProcessing):
    """txt2img, with the hires-fix prompts."""

    def __init__(self, enable_hr: bool = False, hr_prompt: Any = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.enable_hr = enable_hr
        self.hr_prompt = hr_prompt
        self.all_hr_prompts: list[str] = []

    def setup_prompts(self) -> None:
        super().setup_prompts()
        if not self.enable_hr:
            return
        if self.hr_prompt == '':
            self.hr_prompt = self.prompt
        if isinstance(self.hr_prompt, list):
            self.all_hr_prompts = self.hr_prompt
        else:
            self.all_hr_prompts = self.batch_size * self.n_iter * [self.hr_prompt]


def create_infotext(p: StableDiffusionProcessing, index: int) -> str:
    """The PNG "parameters" text of image ``index``."""
    generation_params: dict[str, Any] = {"Steps": p.steps, "Seed": p.all_seeds[index], **p.extra_generation_params}
    for key, value in generation_params.items():
        if isinstance(value, list):
            generation_params[key] = value[index]
        elif callable(value):
            generation_params[key] = value(**locals())
    text = ", ".join([k if k == v else f'{k}: {quote(v)}' for k, v in generation_params.items() if v is not None])
    negative = p.all_negative_prompts[index]
    negative_text = f"\nNegative prompt: {negative}" if negative else ""
    return f"{p.all_prompts[index]}{negative_text}\n{text}".strip()
