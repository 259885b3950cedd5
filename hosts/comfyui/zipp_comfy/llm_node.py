"""The LLM settings node: which backend rewrites the prompts. Never holds the API key."""

from __future__ import annotations

from typing import Any

from comfy_api.latest import io, ui

import libzipp
from libzipp import host_config

from .common import CATEGORY, POOL, LLMSettings

#: gguf first: the default, a local model run inside ComfyUI with nothing else to set up.
BACKENDS = list(host_config.BACKENDS)
DEFAULT_BASE_URL = "http://127.0.0.1:8080/v1"


def resolve(backend: str, base_url: str, model: str, timeout_s: int, max_retries: int,
            model_path: str = "", threads: int = 0) -> dict[str, Any]:
    """Public settings for the widget values (config-file defaults filled in; no key)."""
    return host_config.backend_settings(backend, base_url, model, timeout_ms=int(timeout_s) * 1000,
                                        max_retries=int(max_retries), model_path=model_path or "",
                                        threads=threads)


def describe(settings: dict[str, Any]) -> str:
    """What the node shows: the backend, model, server and where the API key comes from."""
    if settings["backend"] == "rules":
        return "rules backend (model-free, no server)"
    if settings["backend"] == "gguf":
        path = settings.get("model_path") or libzipp.default_model_path() or "?"
        threads = settings.get("threads") or "the physical cores"
        return f"gguf (in-process): {path}\nthreads: {threads}"
    source = host_config.api_key_source()
    key = f"API key from {source}" if source else "no API key (ZIPP_API_KEY, OPENAI_API_KEY or config file)"
    return f"{settings['backend']}: {settings.get('model', '?')} at {settings.get('base_url', '?')}\n{key}"


class LLMSettingsNode(io.ComfyNode):
    """Backend settings for Persona Rewrite: a local GGUF model, an OpenAI-compatible server, or
    the model-free rules."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ZippLLMSettings",
            display_name="Persona LLM Settings",
            category=CATEGORY,
            description="Chooses the backend for Persona Rewrite: gguf runs a GGUF model inside "
                        "ComfyUI (empty model_path: the default model), openai calls an "
                        "OpenAI-compatible server, rules needs no model. The API key is read from "
                        "ZIPP_API_KEY / OPENAI_API_KEY or the zipp config file, never from the workflow.",
            inputs=[
                io.Combo.Input("backend", options=BACKENDS, default="gguf"),
                io.String.Input("base_url", default=DEFAULT_BASE_URL,
                                tooltip="openai: OpenAI-compatible server (llama.cpp, Ollama, vLLM, LM Studio, "
                                        "hosted API); empty uses the config file's base_url."),
                io.String.Input("model", default="",
                                tooltip="openai: model name the server knows; empty uses the config file's model."),
                io.Int.Input("timeout_s", default=120, min=1, max=3600, tooltip="openai: seconds per request."),
                io.Int.Input("max_retries", default=3, min=0, max=10, tooltip="openai: retries after a failure."),
                io.String.Input("model_path", default="", optional=True,
                                tooltip="gguf: the GGUF model file; empty uses the config file's model_path, "
                                        "else the default model (ZIPP_MODEL or the zipp cache folder)."),
                io.Int.Input("threads", default=0, min=0, max=256, optional=True,
                             tooltip="gguf: compute threads, 0 for the physical cores. Fixed for the ComfyUI "
                                     "process when the first model loads."),
            ],
            outputs=[LLMSettings.Output("llm", display_name="llm")],
        )

    @classmethod
    def execute(cls, backend: str, base_url: str, model: str, timeout_s: int, max_retries: int,
                model_path: str = "", threads: int = 0) -> io.NodeOutput:
        settings = resolve(backend, base_url, model, timeout_s, max_retries, model_path, threads)
        POOL.get(settings)  # checks the configuration now and loads a GGUF model (no request is made)
        return io.NodeOutput(settings, ui=ui.PreviewText(describe(settings)))

    @classmethod
    def fingerprint_inputs(cls, backend: Any = None, base_url: Any = None, model: Any = None,
                           timeout_s: Any = None, max_retries: Any = None, model_path: Any = None,
                           threads: Any = None) -> str:
        """Changes with the widgets, the config file and the key (hashed); never raises."""
        try:
            settings = resolve(str(backend), str(base_url or ""), str(model or ""), int(timeout_s or 0),
                               int(max_retries or 0), str(model_path or ""), int(threads or 0))
            return host_config.settings_fingerprint(settings)
        except Exception as error:  # noqa: BLE001 - a fingerprint must not fail
            return f"unresolved: {type(error).__name__}"
