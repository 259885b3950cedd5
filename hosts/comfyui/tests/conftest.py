"""ComfyUI node tests: the host stand-ins on sys.path, a fresh models folder, the loaded pack."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).resolve().parent
PACK = HERE.parent
for path in (HERE / "stubs", HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import folder_paths  # noqa: E402  (the stand-in, found through the path above)

import comfy_host  # noqa: E402


@pytest.fixture
def models_dir(tmp_path: Path) -> Iterator[Path]:
    """An empty ComfyUI models folder with a clean folder registry."""
    saved = (folder_paths.models_dir, dict(folder_paths.folder_names_and_paths))
    folder_paths.models_dir = str(tmp_path / "models")
    folder_paths.folder_names_and_paths.clear()
    yield tmp_path / "models"
    folder_paths.models_dir = saved[0]
    folder_paths.folder_names_and_paths.clear()
    folder_paths.folder_names_and_paths.update(saved[1])


@pytest.fixture
def nodes(models_dir: Path) -> dict[str, type]:
    """The pack loaded the way ComfyUI loads it: {node_id: class}."""
    return comfy_host.load_pack(PACK)[1]


@pytest.fixture
def no_api_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key in the environment and a config file path that does not exist."""
    for name in ("ZIPP_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ZIPP_CONFIG", str(tmp_path / "no-config.json"))
