"""Run by the web UI at start-up (launch.py): installs the libzipp wheel when it is missing.

The wheel is taken from ZIPP_WHEEL (a path) if set, else the newest ``wheels/libzipp-*.whl``
in this extension, else ``libzipp`` from the package index.
"""

from __future__ import annotations

import os
from pathlib import Path

import launch

HERE = Path(__file__).resolve().parent
REQUIREMENT = "libzipp>=0.1.0,<0.2"


def wheel_to_install() -> str:
    """The pip argument: a wheel file (quoted) or the requirement."""
    named = os.environ.get("ZIPP_WHEEL")
    if named:
        return f'"{Path(named).expanduser().resolve()}"'
    local = sorted((HERE / "wheels").glob("libzipp-*.whl"))
    if local:
        return f'"{local[-1]}"'
    return f'"{REQUIREMENT}"'


if not launch.is_installed("libzipp"):
    launch.run_pip(f"install {wheel_to_install()}", "libzipp for the ZIPP persona extension")
