"""The gguf backend choice of Persona LLM Settings and Persona Rewrite's unload_model_after,
without a model (the root conftest empties the model cache)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import comfy_host
import libzipp


def _llm_inputs(**overrides: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {"backend": "gguf", "base_url": "", "model": "", "timeout_s": 30, "max_retries": 0,
                              "model_path": "", "threads": 0}
    inputs.update(overrides)
    return inputs


def test_gguf_is_the_default_choice_with_model_path_and_threads(nodes: dict[str, type]) -> None:
    inputs = {spec.id: spec for spec in nodes["ZippLLMSettings"].GET_SCHEMA().inputs}
    assert inputs["backend"].options == ["gguf", "openai", "rules"] and inputs["backend"].default == "gguf"
    assert inputs["model_path"].io_type == "STRING" and inputs["model_path"].default == ""
    assert inputs["threads"].io_type == "INT" and (inputs["threads"].min, inputs["threads"].max) == (0, 256)
    # added after the first release: optional, so API workflows saved before still validate
    assert inputs["model_path"].optional and inputs["threads"].optional
    rewrite = {spec.id: spec for spec in nodes["ZippPersonaRewrite"].GET_SCHEMA().inputs}
    assert rewrite["unload_model_after"].io_type == "BOOLEAN"
    assert rewrite["unload_model_after"].default is False and rewrite["unload_model_after"].optional


def test_threads_out_of_range_is_refused(nodes: dict[str, type]) -> None:
    llm = nodes["ZippLLMSettings"]
    assert comfy_host.validate(llm, _llm_inputs(threads=300)) == ["threads: 300 outside [0, 256]"]
    assert comfy_host.validate(llm, _llm_inputs(threads=-1)) == ["threads: -1 outside [0, 256]"]
    with pytest.raises(ValueError, match="threads"):
        llm.execute(**_llm_inputs(threads=300))


def test_gguf_without_a_model_is_a_node_error(nodes: dict[str, type], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZIPP_MODEL", raising=False)
    assert comfy_host.validate(nodes["ZippLLMSettings"], _llm_inputs()) == []
    with pytest.raises(libzipp.InvalidConfigError, match="model_path"):
        comfy_host.execute(nodes["ZippLLMSettings"], _llm_inputs())


def test_gguf_with_a_broken_model_file(nodes: dict[str, type], tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a model")
    with pytest.raises(libzipp.InvalidModelError, match="not a GGUF file"):
        comfy_host.execute(nodes["ZippLLMSettings"], _llm_inputs(model_path=str(broken)))
    # a settings dict made by hand reaches Persona Rewrite, which passes the prompt through
    (persona, _), _ = comfy_host.execute(nodes["ZippPersonaLoad"], {"persona_file": "kenji-osaka.json"})
    inputs = {"persona": persona, "prompt": "a cat", "seed": 1, "k": 3, "word_budget": 60,
              "llm": {"backend": "gguf", "model_path": str(broken)}}
    (text, original, _), ui = comfy_host.execute(nodes["ZippPersonaRewrite"], inputs)
    assert text == original == "a cat"
    assert "ZIPP_STATUS_INVALID_MODEL" in ui["text"][0]


def test_fingerprint_follows_model_path_and_threads(nodes: dict[str, type]) -> None:
    llm = nodes["ZippLLMSettings"]
    first = comfy_host.fingerprint(llm, _llm_inputs(model_path="/models/a.gguf"))
    assert not comfy_host.changed(first, comfy_host.fingerprint(llm, _llm_inputs(model_path="/models/a.gguf")))
    assert comfy_host.changed(first, comfy_host.fingerprint(llm, _llm_inputs(model_path="/models/b.gguf")))
    assert comfy_host.changed(first, comfy_host.fingerprint(llm, _llm_inputs(model_path="/models/a.gguf",
                                                                                threads=2)))
    old_workflow = {k: v for k, v in _llm_inputs(backend="rules").items() if k not in ("model_path", "threads")}
    assert isinstance(comfy_host.fingerprint(llm, old_workflow), list)


def test_unload_model_after(nodes: dict[str, type], unload_calls: list[Any]) -> None:
    calls = unload_calls
    (persona, _), _ = comfy_host.execute(nodes["ZippPersonaLoad"], {"persona_file": "kenji-osaka.json"})
    inputs = {"persona": persona, "prompt": "a cat on a windowsill", "seed": 5, "k": 3, "word_budget": 60}
    (kept, _, _), _ = comfy_host.execute(nodes["ZippPersonaRewrite"], inputs)
    (text, _, _), ui = comfy_host.execute(nodes["ZippPersonaRewrite"], dict(inputs, unload_model_after=False))
    assert calls == [] and text == kept
    (text, _, _), ui = comfy_host.execute(nodes["ZippPersonaRewrite"], dict(inputs, unload_model_after=True))
    assert calls == [None] and text == kept and ui == {"text": (text,)}
    rewrite = nodes["ZippPersonaRewrite"]
    fixed = {"persona": None, "prompt": "a cat", "seed": 1, "k": 3, "word_budget": 60}
    assert not comfy_host.changed(comfy_host.fingerprint(rewrite, dict(fixed, unload_model_after=False)),
                                  comfy_host.fingerprint(rewrite, dict(fixed, unload_model_after=True)))
