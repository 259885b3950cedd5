"""Stand-in for ``modules.scripts``: ``AlwaysVisible`` and the ``Script`` base class with the
attributes the ScriptRunner sets and the same ``elem_id`` method."""

from __future__ import annotations

import re
from typing import Any

AlwaysVisible = object()


class Script:
    """Base of web UI scripts; the runner sets the attributes before calling ``ui``."""

    name = None
    filename = None
    args_from = None
    args_to = None
    alwayson = False
    is_txt2img = False
    is_img2img = False
    tabname = None
    infotext_fields = None
    paste_field_names = None
    controls = None

    def title(self) -> str:
        raise NotImplementedError()

    def ui(self, is_img2img: bool) -> Any:
        pass

    def show(self, is_img2img: bool) -> Any:
        return True

    def process(self, p: Any, *args: Any) -> None:
        pass

    def elem_id(self, item_id: str) -> str:
        """``script_<tab>_<title>_<item>``, as the web UI builds element ids."""
        need_tabname = self.show(True) == self.show(False)
        tabkind = "img2img" if self.is_img2img else "txt2img"
        tabname = f"{tabkind}_" if need_tabname else ""
        title = re.sub(r"[^a-z_0-9]", "", re.sub(r"\s", "_", self.title().lower()))
        return f"script_{tabname}{title}_{item_id}"
