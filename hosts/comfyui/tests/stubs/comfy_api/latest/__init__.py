"""Stand-in for ``comfy_api.latest``: ``ComfyExtension``, ``io`` and ``ui``, as ComfyUI exports them
(comfy_api/latest/__init__.py)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from . import _io as io
from . import _ui as ui


class ComfyExtension(ABC):
    """An extension: ComfyUI 0.3.64 awaits ``get_node_list()`` of what ``comfy_entrypoint()``
    returned; later versions await ``on_load()`` before it."""

    async def on_load(self) -> None:
        """Called when the extension is loaded (not by ComfyUI 0.3.64)."""

    @abstractmethod
    async def get_node_list(self) -> list[type[io.ComfyNode]]:
        """The node classes this extension provides."""


IO = io
UI = ui

__all__ = ["ComfyExtension", "io", "IO", "ui", "UI"]
