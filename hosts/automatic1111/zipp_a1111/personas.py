"""The persona dropdown: files in ``<models>/personas`` and the example personas."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import libzipp

FOLDER = "personas"


def persona_folders(models_path: str) -> list[Path]:
    """``<models>/personas`` first (created if missing), then the example personas."""
    user = Path(models_path) / FOLDER
    try:
        user.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    folders = [user]
    examples = libzipp.example_personas_dir()
    if examples is not None:
        folders.append(examples)
    return folders


def list_personas(models_path: str) -> list[str]:
    """The dropdown's choices: relative file names, the user's folder first."""
    return list(libzipp.list_persona_files(persona_folders(models_path)))


def persona_file(models_path: str, name: str) -> Optional[Path]:
    """The file behind a dropdown choice; only listed names are accepted (no arbitrary paths)."""
    return libzipp.list_persona_files(persona_folders(models_path)).get(name.replace(os.sep, "/"))
