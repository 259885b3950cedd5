"""The custom socket types of the ZIPP nodes and the shared rewriter pool."""

from __future__ import annotations

from comfy_api.latest import io

import libzipp


#: A persona (a ``libzipp.Persona``) flowing from a load/survey node to a rewrite node.
Persona = io.Custom("ZIPP_PERSONA")

#: Public backend settings (a dict without secrets) from the LLM settings node.
LLMSettings = io.Custom("ZIPP_LLM")

#: The node menu category.
CATEGORY = "ZIPP"

#: Settings used when no LLM settings node is connected: the model-free rules backend.
RULES: dict[str, str] = {"backend": "rules"}

#: One rewriter per backend setting for the whole ComfyUI process (keeps the cache warm).
POOL = libzipp.RewriterPool()
