"""default_model_path() and unload_models() without a model, and broken model files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import libzipp


def test_no_default_model_in_the_empty_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZIPP_MODEL", raising=False)
    assert os.environ["ZIPP_CACHE_DIR"]  # the root conftest's empty cache folder
    assert libzipp.default_model_path() is None
    with libzipp.Rewriter() as rewriter, libzipp.Persona.from_text("I paint harbours.") as persona:
        result = rewriter.rewrite(persona, "a boat")
    assert result.backend == "rules" and "no default model" in " ".join(result.notes)


def test_default_model_follows_zipp_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    named = tmp_path / "mine.gguf"
    monkeypatch.setenv("ZIPP_MODEL", str(named))
    assert libzipp.default_model_path() == str(named)


def test_unload_when_nothing_is_loaded() -> None:
    assert libzipp.unload_models() == 0
    assert libzipp.unload_models("/nowhere/model.gguf") == 0
    assert libzipp.unload_models(Path("/nowhere/model.gguf")) == 0


def test_gguf_without_a_model_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZIPP_MODEL", raising=False)
    with pytest.raises(libzipp.InvalidConfigError, match="model_path"):
        libzipp.Rewriter({"backend": "gguf"})


def test_broken_and_missing_model_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a model")
    with pytest.raises(libzipp.InvalidModelError) as info:
        libzipp.Rewriter({"backend": "gguf", "model_path": str(broken)})
    assert info.value.status == 22 and str(broken) in info.value.message
    assert isinstance(info.value, ValueError)
    with pytest.raises(libzipp.ZippIOError):
        libzipp.Rewriter({"backend": "gguf", "model_path": str(tmp_path / "missing.gguf")})


def test_gguf_settings_are_checked(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a model")
    with pytest.raises(libzipp.InvalidConfigError, match="threads"):
        libzipp.Rewriter({"backend": "gguf", "model_path": str(broken), "threads": 0})
    with pytest.raises(libzipp.InvalidConfigError, match="context_length"):
        libzipp.Rewriter({"backend": "gguf", "model_path": str(broken), "context_length": 16})
