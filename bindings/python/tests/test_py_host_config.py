"""host_config: the hosts' backend settings, the gguf backend's included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import libzipp
from libzipp import RewriterPool, host_config


@pytest.fixture
def config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A config file path (not written yet) and no key in the environment."""
    for name in host_config.API_KEY_ENV:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "zipp.json"
    monkeypatch.setenv(host_config.CONFIG_ENV, str(path))
    return path


def test_gguf_settings(config_file: Path, tmp_path: Path) -> None:
    assert host_config.backend_settings("gguf") == {"backend": "gguf"}
    model = tmp_path / "m.gguf"
    settings = host_config.backend_settings("gguf", "http://ignored/v1", "ignored", 5000, 2,
                                            model_path=f"  {model}  ", threads=4, context_length=2048)
    assert settings == {"backend": "gguf", "model_path": str(model), "threads": 4, "context_length": 2048}
    home = host_config.backend_settings("gguf", model_path="~/m.gguf", threads=0, context_length=0)
    assert home == {"backend": "gguf", "model_path": str(Path.home() / "m.gguf")}
    assert host_config.backend_settings("gguf", threads=8.0, context_length="4096") == {
        "backend": "gguf", "threads": 8, "context_length": 4096}


def test_gguf_model_path_from_config_file(config_file: Path) -> None:
    config_file.write_text(json.dumps({"model_path": "/models/q.gguf", "model": "server-model"}), encoding="utf-8")
    assert host_config.backend_settings("gguf") == {"backend": "gguf", "model_path": "/models/q.gguf"}
    assert host_config.backend_settings("gguf", model_path="/other.gguf")["model_path"] == "/other.gguf"
    assert host_config.backend_settings("openai")["model"] == "server-model"
    assert "model_path" not in host_config.backend_settings("openai")


@pytest.mark.parametrize("values, message", [
    ({"threads": 257}, r"threads 257 is outside \[1, 256\]"),
    ({"threads": -1}, "threads -1 is outside"),
    ({"threads": 2.5}, "threads must be a whole number"),
    ({"threads": True}, "threads must be a whole number"),
    ({"threads": "many"}, "threads must be a whole number"),
    ({"context_length": 32}, r"context_length 32 is outside \[64, 131072\]"),
    ({"context_length": 200000}, "context_length 200000 is outside"),
])
def test_gguf_bad_values_are_refused(config_file: Path, values: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        host_config.backend_settings("gguf", **values)


def test_unknown_backend_is_refused(config_file: Path) -> None:
    with pytest.raises(ValueError, match="one of gguf, openai, rules"):
        host_config.backend_settings("telepathy")
    assert host_config.backend_settings("rules", model_path="/m.gguf", threads=999) == {"backend": "rules"}


def test_api_key_only_for_openai(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZIPP_API_KEY", "sk-host-secret")
    gguf = host_config.backend_settings("gguf", model_path="/m.gguf")
    assert "api_key" not in host_config.rewriter_config(gguf)
    assert host_config.rewriter_config({"backend": "openai", "model": "m"})["api_key"] == "sk-host-secret"
    before = host_config.settings_fingerprint(gguf)
    monkeypatch.setenv("ZIPP_API_KEY", "sk-other")
    assert host_config.settings_fingerprint(gguf) == before
    assert host_config.settings_fingerprint(dict(gguf, threads=2)) != before


def test_pool_refuses_gguf_without_a_model(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZIPP_MODEL", raising=False)
    pool = RewriterPool()
    with pytest.raises(libzipp.InvalidConfigError, match="model_path"):
        pool.get(host_config.backend_settings("gguf"))
    assert len(pool) == 0
