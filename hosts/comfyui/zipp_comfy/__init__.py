"""ZIPP persona nodes for ComfyUI, in the V3 schema (``comfy_api.latest``)."""
