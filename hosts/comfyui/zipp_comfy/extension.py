"""The ComfyUI extension: registers the model folders and lists the ZIPP nodes.

ComfyUI 0.3.64 awaits ``comfy_entrypoint()`` and ``get_node_list()`` of a V3 extension but never
``on_load()``; newer versions also await ``on_load()``. The folders are registered in each of the
three (registering is idempotent), so the persona dropdown is filled whichever ComfyUI loads the
pack.
"""

from __future__ import annotations

from comfy_api.latest import ComfyExtension, io

from . import clip_models, folders
from .llm_node import LLMSettingsNode
from .persona_nodes import PersonaFromSurvey, PersonaLoad
from .rewrite_node import PersonaRewrite
from .score_nodes import PersonaPickBest, PersonaScore


def register_folders() -> None:
    """Registers models/personas (with the example personas) and models/zipp_clip; idempotent."""
    folders.register()
    clip_models.register()


class ZippExtension(ComfyExtension):
    """ZIPP's nodes: Persona Load, Persona From Survey, Persona LLM Settings, Persona Rewrite,
    Persona Score and Persona Pick Best."""

    async def on_load(self) -> None:
        """Registers the folders (ComfyUI versions after 0.3.64 call this first)."""
        register_folders()

    async def get_node_list(self) -> list[type[io.ComfyNode]]:
        """The node classes; registers the folders first, since their schemas list the files."""
        register_folders()
        return [PersonaLoad, PersonaFromSurvey, LLMSettingsNode, PersonaRewrite, PersonaScore,
                PersonaPickBest]


async def comfy_entrypoint() -> ZippExtension:
    """Called by ComfyUI when it loads this custom-node package; registers the folders."""
    register_folders()
    return ZippExtension()
