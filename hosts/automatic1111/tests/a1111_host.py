"""Drives the extension the way the web UI does (modules/scripts.py, processing.py,
api/api.py):

- loads ``scripts/*.py`` with the extension folder first on sys.path (only while loading) and
  registers every ``scripts.Script`` subclass;
- builds the UI: ``show(is_img2img)`` must be AlwaysVisible, then ``ui(is_img2img)`` inside
  ``gr.Blocks()``; the controls' slice of the argument list is [args_from, args_to);
- API requests: defaults are the controls' ``value``; ``alwayson_scripts[title.lower()]["args"]``
  overwrite them in order;
- a generation: seed fixed, ``setup_prompts()``, ``all_seeds``, then ``process(p, *args)``
  (an exception is reported and generation goes on), then the infotext of every image.
"""

from __future__ import annotations

import importlib.util
import random
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
from modules import processing, scripts


def load_scripts(extension: Path) -> list[type]:
    """The Script classes of the extension's scripts folder."""
    found: list[type] = []
    saved = sys.path
    try:
        sys.path = [str(extension)] + sys.path
        for path in sorted((extension / "scripts").glob("*.py")):
            spec = importlib.util.spec_from_file_location(path.stem, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            for value in module.__dict__.values():
                if isinstance(value, type) and issubclass(value, scripts.Script) and value is not scripts.Script:
                    found.append(value)
    finally:
        sys.path = saved
    return found


@dataclass
class Runner:
    """One tab's always-on scripts (txt2img or img2img)."""

    is_img2img: bool = False
    scripts: list[Any] = field(default_factory=list)
    inputs: list[Any] = field(default_factory=lambda: [None])
    errors: list[str] = field(default_factory=list)
    blocks: list[Any] = field(default_factory=list)

    def add(self, script_class: type, filename: str) -> Any:
        """initialize_scripts + create_script_ui for one script."""
        script = script_class()
        script.filename = filename
        script.is_txt2img = not self.is_img2img
        script.is_img2img = self.is_img2img
        script.tabname = "img2img" if self.is_img2img else "txt2img"
        assert script.show(script.is_img2img) is scripts.AlwaysVisible
        script.alwayson = True
        script.args_from = len(self.inputs)
        with gr.Blocks() as blocks:
            controls = script.ui(script.is_img2img)
        self.blocks.append(blocks)
        script.controls = controls
        script.name = script.title().lower()
        for control in controls:
            control.custom_script_source = Path(filename).name
        self.inputs += controls
        script.args_to = len(self.inputs)
        self.scripts.append(script)
        return script

    def default_args(self) -> list[Any]:
        """init_default_script_args: every control's value, 0 for the script dropdown."""
        args: list[Any] = [0] + [None] * (len(self.inputs) - 1)
        for script in self.scripts:
            args[script.args_from:script.args_to] = [control.value for control in script.controls]
        return args

    def api_args(self, alwayson_scripts: dict[str, dict[str, list[Any]]]) -> list[Any]:
        """init_script_args: request args over the defaults, found by lower-case title."""
        args = self.default_args()
        by_name = {script.name: script for script in self.scripts}
        for name, body in alwayson_scripts.items():
            script = by_name[name.lower()]
            given = body.get("args", [])
            for i in range(min(script.args_to - script.args_from, len(given))):
                args[script.args_from + i] = given[i]
        return args

    def process(self, p: Any) -> None:
        """ScriptRunner.process: each always-on script with its slice; errors are reported."""
        for script in self.scripts:
            try:
                script.process(p, *p.script_args[script.args_from:script.args_to])
            except Exception:  # noqa: BLE001 - the web UI reports and goes on
                self.errors.append(traceback.format_exc())


def generate(runner: Runner, p: Any, args: list[Any]) -> list[str]:
    """process_images_inner up to sampling: returns the infotext of each image."""
    p.scripts = runner
    p.script_args = args
    seed = p.seed if p.seed != -1 else random.randrange(2**32)
    p.setup_prompts()
    p.all_seeds = [int(seed) + i for i in range(len(p.all_prompts))]
    runner.process(p)
    return [processing.create_infotext(p, i) for i in range(len(p.all_prompts))]
