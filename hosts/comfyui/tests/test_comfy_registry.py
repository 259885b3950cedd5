"""The registry files: the ComfyUI-Manager entry agrees with pyproject.toml, and the pack holds
no binary (the native library comes with the libzipp wheel)."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

PACK = Path(__file__).resolve().parents[1]
#: What a ComfyUI-Manager custom-node-list.json entry holds.
MANAGER_KEYS = {"author", "title", "id", "reference", "files", "install_type", "description"}


def test_manager_entry_matches_the_pack() -> None:
    entry = json.loads((PACK / "custom-node-list-entry.json").read_text(encoding="utf-8"))
    data = tomllib.loads((PACK / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(entry) == MANAGER_KEYS
    assert entry["id"] == data["project"]["name"] == "comfyui-zipp"
    assert entry["title"] == data["tool"]["comfy"]["DisplayName"]
    assert entry["author"] == data["tool"]["comfy"]["PublisherId"]
    assert entry["install_type"] == "git-clone"
    assert isinstance(entry["reference"], str) and entry["files"] == [entry["reference"]]
    assert "libzipp" in entry["description"] and len(entry["description"]) < 600


def _pack_files() -> list[Path]:
    """The pack's files as git sees them: tracked, plus new ones that are not ignored (caches)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "."],
                            cwd=PACK, capture_output=True, check=True).stdout.decode("utf-8")
    return [PACK / name for name in listed.split("\0") if name and (PACK / name).is_file()]


def test_the_pack_holds_no_binary() -> None:
    checked = 0
    for path in _pack_files():
        data = path.read_bytes()
        assert b"\0" not in data, f"{path} is binary"
        data.decode("utf-8")  # text, or this raises
        assert path.suffix not in {".so", ".dll", ".dylib", ".pyd", ".whl", ".exe", ".gguf", ".safetensors"}
        checked += 1
    assert checked >= 20
