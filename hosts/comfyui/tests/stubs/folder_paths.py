"""Stand-in for ComfyUI's ``folder_paths``: the model-folder registry, with the behaviour of
add_model_folder_path, get_folder_paths, get_filename_list and get_full_path in
ComfyUI's folder_paths.py. Tests point ``models_dir`` at a temporary folder."""

from __future__ import annotations

import os

models_dir = os.path.join(os.path.dirname(os.path.realpath(__file__)), "models")
folder_names_and_paths: dict[str, tuple[list[str], set[str]]] = {}


def add_model_folder_path(folder_name: str, full_folder_path: str, is_default: bool = False) -> None:
    """Adds a folder to a folder type, creating the type (with no extension filter) if new."""
    if folder_name in folder_names_and_paths:
        if is_default:
            folder_names_and_paths[folder_name][0].insert(0, full_folder_path)
        else:
            folder_names_and_paths[folder_name][0].append(full_folder_path)
    else:
        folder_names_and_paths[folder_name] = ([full_folder_path], set())


def get_folder_paths(folder_name: str) -> list[str]:
    """The folders of a folder type."""
    return folder_names_and_paths[folder_name][0][:]


def _walk(directory: str) -> list[str]:
    result = []
    if not os.path.isdir(directory):
        return result
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=True):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            result.append(os.path.relpath(os.path.join(dirpath, name), directory))
    return result


def get_filename_list(folder_name: str) -> list[str]:
    """Relative file names in every folder of the type, filtered by its extensions (none: all)."""
    folders, extensions = folder_names_and_paths[folder_name]
    found: set[str] = set()
    for folder in folders:
        for name in _walk(folder):
            if len(extensions) == 0 or os.path.splitext(name)[-1].lower() in extensions:
                found.add(name)
    return sorted(found)


def get_full_path(folder_name: str, filename: str) -> str | None:
    """The first existing file of that relative name in the type's folders, else None."""
    if folder_name not in folder_names_and_paths:
        return None
    filename = os.path.relpath(os.path.join("/", filename), "/")
    for folder in folder_names_and_paths[folder_name][0]:
        full_path = os.path.join(folder, filename)
        if os.path.isfile(full_path):
            return full_path
    return None
