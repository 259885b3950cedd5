"""ZIPP for ComfyUI: persona nodes that rewrite a prompt the way a person would want the picture.

ComfyUI loads this package from custom_nodes/ and awaits ``comfy_entrypoint()`` (V3 schema).
"""

from .zipp_comfy.extension import comfy_entrypoint

#: Served to the frontend: shows each node's text output on the node.
WEB_DIRECTORY = "./web"

__all__ = ["comfy_entrypoint", "WEB_DIRECTORY"]
