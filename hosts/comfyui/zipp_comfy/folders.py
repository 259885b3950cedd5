"""The ``personas`` model folder: ComfyUI's models/personas plus the example personas."""

from __future__ import annotations

import os
from typing import Optional

import folder_paths

import libzipp

#: The folder type registered with folder_paths.
FOLDER = "personas"
#: File endings listed in the persona dropdown.
EXTENSIONS = {".json", ".txt"}


def register() -> None:
    """Registers ``<models>/personas`` (first) and the example personas with folder_paths.

    Folders that extra_model_paths.yaml already added under ``personas`` are kept. Idempotent:
    a second call changes nothing.
    """
    user_folder = os.path.join(folder_paths.models_dir, FOLDER)
    try:
        os.makedirs(user_folder, exist_ok=True)
    except OSError:
        pass  # a read-only install still lists the other folders
    if FOLDER not in folder_paths.folder_names_and_paths:
        folder_paths.folder_names_and_paths[FOLDER] = ([user_folder], set(EXTENSIONS))
    elif user_folder not in folder_paths.get_folder_paths(FOLDER):
        folder_paths.add_model_folder_path(FOLDER, user_folder, is_default=True)
    examples = libzipp.example_personas_dir()
    if examples is not None and str(examples) not in folder_paths.get_folder_paths(FOLDER):
        folder_paths.add_model_folder_path(FOLDER, str(examples))


def persona_folders() -> list[str]:
    """The registered personas folders, models/personas first."""
    try:
        return folder_paths.get_folder_paths(FOLDER)
    except KeyError:
        return []


def persona_files() -> list[str]:
    """Persona file names for the dropdown (JSON Schema files left out)."""
    try:
        names = folder_paths.get_filename_list(FOLDER)
    except KeyError:
        return []
    return [n for n in names
            if os.path.splitext(n)[1].lower() in EXTENSIONS and not n.lower().endswith(".schema.json")]


def persona_path(name: str) -> Optional[str]:
    """The full path of a listed persona file, or None."""
    if not name:
        return None
    return folder_paths.get_full_path(FOLDER, name)
