"""A1111 extension tests: the host stand-ins on sys.path and a loaded, UI-built script."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
EXTENSION = HERE.parent
for path in (HERE / "stubs", HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from modules import shared  # noqa: E402  (the stand-in, found through the path above)

import a1111_host  # noqa: E402


@pytest.fixture
def models_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty web UI models folder."""
    monkeypatch.setattr(shared, "models_path", str(tmp_path / "models"))
    return tmp_path / "models"


@pytest.fixture
def runner(models_path: Path) -> a1111_host.Runner:
    """The txt2img tab with the extension's script and its UI built."""
    classes = a1111_host.load_scripts(EXTENSION)
    assert len(classes) == 1
    tab = a1111_host.Runner(is_img2img=False)
    tab.add(classes[0], str(EXTENSION / "scripts" / "zipp_persona.py"))
    return tab


@pytest.fixture
def no_api_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key in the environment and a config file path that does not exist."""
    for name in ("ZIPP_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ZIPP_CONFIG", str(tmp_path / "no-config.json"))
