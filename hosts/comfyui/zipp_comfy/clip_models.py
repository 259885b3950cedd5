"""The ``zipp_clip`` model folder: full CLIP checkpoints for the score nodes, loaded once each.

A checkpoint is a folder as Hugging Face ``transformers`` saves a ``CLIPModel`` (text and vision
towers): ``config.json``, ``model.safetensors`` and ``tokenizer.json`` (``preprocessor_config.json``
when present), e.g. ``models/zipp_clip/clip-vit-base-patch32/``. ComfyUI's own ``clip`` name is
its legacy alias of ``text_encoders`` and ``clip_vision`` holds vision-only files, which libzipp
cannot load yet; hence a folder type of the pack's own.
"""

from __future__ import annotations

import os
import threading

import folder_paths

import libzipp

#: The folder type registered with folder_paths (and its folder under models/).
FOLDER = "zipp_clip"
#: The files that make a folder a loadable checkpoint.
REQUIRED = ("config.json", "model.safetensors", "tokenizer.json")
#: Dropdown entry when no checkpoint is installed.
NO_CHECKPOINT = "(no CLIP checkpoint in models/zipp_clip)"

_LOADED: dict[str, libzipp.Clip] = {}
_LOCK = threading.Lock()


def register() -> None:
    """Registers ``<models>/zipp_clip`` (first); extra_model_paths.yaml folders are kept."""
    user_folder = os.path.join(folder_paths.models_dir, FOLDER)
    try:
        os.makedirs(user_folder, exist_ok=True)
    except OSError:
        pass  # a read-only install still lists the other folders
    if FOLDER not in folder_paths.folder_names_and_paths:
        folder_paths.folder_names_and_paths[FOLDER] = ([user_folder], set())
    elif user_folder not in folder_paths.get_folder_paths(FOLDER):
        folder_paths.add_model_folder_path(FOLDER, user_folder, is_default=True)


def _roots() -> list[str]:
    try:
        return folder_paths.get_folder_paths(FOLDER)
    except KeyError:
        return []


def is_checkpoint(path: str) -> bool:
    """Whether ``path`` is a folder with every file of a CLIP checkpoint."""
    return all(os.path.isfile(os.path.join(path, name)) for name in REQUIRED)


def checkpoints() -> list[str]:
    """Checkpoint folders under the registered roots, by relative name ("/" separated)."""
    found: set[str] = set()
    for root in _roots():
        if not os.path.isdir(root):
            continue
        for dirpath, dirnames, _ in os.walk(root, followlinks=True):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            if dirpath != root and is_checkpoint(dirpath):
                found.add(os.path.relpath(dirpath, root).replace(os.sep, "/"))
                dirnames[:] = []  # a checkpoint's own subfolders are not checkpoints
    return sorted(found)


def checkpoint_path(name: str) -> str:
    """The folder of a listed checkpoint; ``FileNotFoundError`` saying where to put one."""
    if name and name != NO_CHECKPOINT:
        relative = os.path.normpath(name)
        if not os.path.isabs(relative) and not relative.startswith(".."):
            for root in _roots():
                path = os.path.join(root, relative)
                if is_checkpoint(path):
                    return path
    where = ", ".join(_roots()) or f"models/{FOLDER}"
    raise FileNotFoundError(
        f"CLIP checkpoint '{name}' not found: put a Hugging Face CLIP model folder ({', '.join(REQUIRED)}) "
        f"into {where}")


def load(name: str) -> libzipp.Clip:
    """The loaded model of a listed checkpoint, loaded on first use and kept for the process."""
    path = os.path.realpath(checkpoint_path(name))
    with _LOCK:
        model = _LOADED.get(path)
        if model is None:
            model = _LOADED[path] = libzipp.Clip(path)
        return model
