"""The ComfyUI extension: registers the personas folder and lists the ZIPP nodes."""

from __future__ import annotations

from comfy_api.latest import ComfyExtension, io

from . import folders
from .llm_node import LLMSettingsNode
from .persona_nodes import PersonaFromSurvey, PersonaLoad
from .rewrite_node import PersonaRewrite


class ZippExtension(ComfyExtension):
    """ZIPP's nodes: Persona Load, Persona From Survey, Persona LLM Settings, Persona Rewrite."""

    async def on_load(self) -> None:
        """Registers the personas folder before the node schemas list its files."""
        folders.register()

    async def get_node_list(self) -> list[type[io.ComfyNode]]:
        return [PersonaLoad, PersonaFromSurvey, LLMSettingsNode, PersonaRewrite]


async def comfy_entrypoint() -> ZippExtension:
    """Called by ComfyUI when it loads this custom-node package."""
    return ZippExtension()
