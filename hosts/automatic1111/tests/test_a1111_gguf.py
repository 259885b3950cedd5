"""The gguf backend choice and "unload after rewrite", without a model (the root conftest
empties the model cache)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import a1111_host
from modules.processing import StableDiffusionProcessingTxt2Img
from test_a1111_script import _args


def test_gguf_without_a_model_keeps_the_prompt(runner: a1111_host.Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZIPP_MODEL", raising=False)
    p = StableDiffusionProcessingTxt2Img(prompt="a lighthouse", seed=2)
    infotexts = a1111_host.generate(runner, p, _args(runner, enabled=True, persona="kenji-osaka.json",
                                                     backend="gguf"))
    assert p.all_prompts == ["a lighthouse"]
    params = p.extra_generation_params
    assert "ZIPP_STATUS_INVALID_CONFIG" in params["ZIPP error"] and "model_path" in params["ZIPP error"]
    assert params["ZIPP backend"] == "gguf"
    assert "ZIPP error:" in infotexts[0]
    assert not runner.errors


def test_gguf_with_a_broken_model_file(runner: a1111_host.Runner, tmp_path: Path) -> None:
    broken = tmp_path / "private folder" / "broken.gguf"
    broken.parent.mkdir()
    broken.write_bytes(b"not a model")
    p = StableDiffusionProcessingTxt2Img(prompt="a lighthouse", seed=2)
    infotexts = a1111_host.generate(runner, p, _args(runner, enabled=True, persona="kenji-osaka.json",
                                                     backend="gguf", model_path=str(broken)))
    assert p.all_prompts == ["a lighthouse"]
    assert "ZIPP_STATUS_INVALID_MODEL" in p.extra_generation_params["ZIPP error"]
    # the PNG info names the file, never its folder
    assert p.extra_generation_params["ZIPP backend"] == "gguf broken.gguf"
    assert "ZIPP backend: gguf broken.gguf" in infotexts[0]
    assert not runner.errors


def test_bad_backend_from_the_api_keeps_the_prompt(runner: a1111_host.Runner) -> None:
    p = StableDiffusionProcessingTxt2Img(prompt="a lighthouse", seed=2)
    a1111_host.generate(runner, p, _args(runner, enabled=True, persona="kenji-osaka.json", backend="telepathy"))
    assert p.all_prompts == ["a lighthouse"]
    assert "backend must be one of gguf, openai, rules" in p.extra_generation_params["ZIPP error"]
    assert not runner.errors


@pytest.mark.parametrize("unload_after, expected", [(False, []), (True, [None])])
def test_unload_after_rewrite(runner: a1111_host.Runner, unload_calls: list[Any],
                              unload_after: bool, expected: list[Any]) -> None:
    calls = unload_calls
    p = StableDiffusionProcessingTxt2Img(prompt=["a cat", "a dog"], seed=100, batch_size=2)
    a1111_host.generate(runner, p, _args(runner, enabled=True, persona="kenji-osaka.json",
                                         unload_after=unload_after))
    assert calls == expected  # once per job, after every prompt was rewritten
    assert p.all_prompts[0].startswith("a cat,") and p.all_prompts[1].startswith("a dog,")
    assert "ZIPP error" not in p.extra_generation_params
