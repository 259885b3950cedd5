"""Persona Rewrite and Persona LLM Settings, with the rules backend and a real HTTP server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import comfy_host
import libzipp
from openai_server import OpenAIServer, Reply, completion, refused_url


def _persona(nodes: dict[str, type], name: str = "kenji-osaka.json") -> libzipp.Persona:
    (persona, _), _ = comfy_host.execute(nodes["ZippPersonaLoad"], {"persona_file": name, "inline": ""})
    return persona


def _rewrite_inputs(persona: libzipp.Persona, **overrides: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {"persona": persona, "prompt": "a cat on a windowsill", "seed": 5, "k": 3,
                              "word_budget": 60}
    inputs.update(overrides)
    return inputs


def _llm(nodes: dict[str, type], **overrides: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    inputs: dict[str, Any] = {"backend": "openai", "base_url": "", "model": "", "timeout_s": 30,
                              "max_retries": 0}
    inputs.update(overrides)
    assert comfy_host.validate(nodes["ZippLLMSettings"], inputs) == []
    return comfy_host.execute(nodes["ZippLLMSettings"], inputs)


def test_rules_rewrite_without_llm_node(nodes: dict[str, type]) -> None:
    rewrite = nodes["ZippPersonaRewrite"]
    inputs = _rewrite_inputs(_persona(nodes))
    assert comfy_host.validate(rewrite, {k: v for k, v in inputs.items() if k != "persona"},
                               linked=["persona"]) == []
    (text, original, thinking), ui = comfy_host.execute(rewrite, inputs)
    assert text.startswith("a cat") and text != original
    assert original == "a cat on a windowsill"
    assert thinking == ""
    assert ui == {"text": (text,)}
    (again, _, _), _ = comfy_host.execute(rewrite, inputs)
    assert again == text


def test_widget_limits_match_the_library(nodes: dict[str, type]) -> None:
    rewrite = nodes["ZippPersonaRewrite"]
    persona = _persona(nodes)
    top = _rewrite_inputs(persona, seed=2**64 - 1, k=8, word_budget=300)
    assert comfy_host.validate(rewrite, top, linked=["persona"]) == []
    (text, _, _), ui = comfy_host.execute(rewrite, top)
    assert not ui["text"][0].startswith("rewrite failed"), ui
    low = _rewrite_inputs(persona, seed=0, k=0, word_budget=5)
    (text, _, _), ui = comfy_host.execute(rewrite, low)
    assert not ui["text"][0].startswith("rewrite failed"), ui
    assert comfy_host.validate(rewrite, _rewrite_inputs(persona, k=9), linked=["persona"]) == [
        "k: 9 outside [0, 8]"]


def test_taste_clauses_sets_the_strength(nodes: dict[str, type]) -> None:
    rewrite = nodes["ZippPersonaRewrite"]
    persona = _persona(nodes)
    prompt = "a street market at dusk"
    texts = {}
    for n in (1, 3):
        inputs = dict(_rewrite_inputs(persona, taste_clauses=n), prompt=prompt)
        assert comfy_host.validate(rewrite, inputs, linked=["persona"]) == []
        (texts[n], _, _), ui = comfy_host.execute(rewrite, inputs)
        assert not ui["text"][0].startswith("rewrite failed"), ui
    assert texts[1].startswith(prompt) and texts[1][len(prompt):].count(", ") == 1, texts
    assert texts[3].startswith(texts[1]) and len(texts[3]) > len(texts[1]), texts
    assert comfy_host.validate(rewrite, _rewrite_inputs(persona, taste_clauses=4), linked=["persona"]) == [
        "taste_clauses: 4 outside [1, 3]"]
    constants = {"persona": None, "prompt": prompt, "seed": 1, "k": 3, "word_budget": 60}
    weak = comfy_host.fingerprint(rewrite, dict(constants, taste_clauses=1), linked=["persona"])
    strong = comfy_host.fingerprint(rewrite, dict(constants, taste_clauses=3), linked=["persona"])
    assert comfy_host.changed(weak, strong)


def test_fingerprint_fixed_seed_reuses_new_seed_reruns(nodes: dict[str, type]) -> None:
    rewrite = nodes["ZippPersonaRewrite"]
    constants = {"prompt": "a harbour", "seed": 11, "k": 3, "word_budget": 60}
    first = comfy_host.fingerprint(rewrite, dict(constants, persona=None), linked=["persona"])
    same = comfy_host.fingerprint(rewrite, dict(constants, persona=None), linked=["persona"])
    other = comfy_host.fingerprint(rewrite, dict(constants, persona=None, seed=12), linked=["persona"])
    assert not comfy_host.changed(first, same)
    assert comfy_host.changed(first, other)


def test_fingerprint_never_raises(nodes: dict[str, type]) -> None:
    rewrite = nodes["ZippPersonaRewrite"]
    odd = {"persona": None, "prompt": object(), "seed": float("nan"), "k": None, "word_budget": "x",
           "llm": None}
    assert isinstance(comfy_host.fingerprint(rewrite, odd), list)
    llm = nodes["ZippLLMSettings"]
    assert isinstance(comfy_host.fingerprint(llm, {"backend": None, "base_url": None, "model": None,
                                                   "timeout_s": "soon", "max_retries": None}), list)


def test_openai_through_llm_settings_with_key_from_environment(
        nodes: dict[str, type], openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch,
        no_api_key: None) -> None:
    monkeypatch.setenv("ZIPP_API_KEY", "sk-env-secret")
    openai_server.replies.append(Reply(200, completion("<think>he likes film</think>a grey cat on a windowsill, soft grain")))
    (settings,), llm_ui = _llm(nodes, base_url=openai_server.base_url, model="test-model")
    assert "sk-env-secret" not in json.dumps(settings) + llm_ui["text"][0]
    assert "API key from ZIPP_API_KEY" in llm_ui["text"][0]
    inputs = _rewrite_inputs(_persona(nodes), llm=settings, seed=77)
    (text, original, thinking), ui = comfy_host.execute(nodes["ZippPersonaRewrite"], inputs)
    assert text == "a grey cat on a windowsill, soft grain"
    assert thinking == "he likes film"
    assert original == "a cat on a windowsill"
    assert ui["text"] == (text,)
    request = openai_server.requests[-1]
    assert request.headers["Authorization"] == "Bearer sk-env-secret"
    assert request.body["seed"] == 77 and request.body["model"] == "test-model"


def test_key_and_defaults_from_config_file(nodes: dict[str, type], openai_server: OpenAIServer,
                                           monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("ZIPP_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "zipp.json"
    config.write_text(json.dumps({"api_key": "sk-file-secret", "base_url": openai_server.base_url,
                                  "model": "file-model"}), encoding="utf-8")
    monkeypatch.setenv("ZIPP_CONFIG", str(config))
    (settings,), llm_ui = _llm(nodes)
    assert settings == {"backend": "openai", "base_url": openai_server.base_url, "model": "file-model",
                        "timeout_ms": 30000, "max_retries": 0}
    assert str(config) in llm_ui["text"][0] and "sk-file-secret" not in llm_ui["text"][0]
    comfy_host.execute(nodes["ZippPersonaRewrite"], _rewrite_inputs(_persona(nodes), llm=settings, seed=3))
    assert openai_server.requests[-1].headers["Authorization"] == "Bearer sk-file-secret"
    assert openai_server.requests[-1].body["model"] == "file-model"


def test_changed_key_gives_a_new_fingerprint(nodes: dict[str, type], monkeypatch: pytest.MonkeyPatch,
                                             no_api_key: None) -> None:
    llm = nodes["ZippLLMSettings"]
    inputs = {"backend": "openai", "base_url": "http://127.0.0.1:1/v1", "model": "m", "timeout_s": 5,
              "max_retries": 0}
    before = comfy_host.fingerprint(llm, inputs)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-new")
    after = comfy_host.fingerprint(llm, inputs)
    assert comfy_host.changed(before, after)
    assert "sk-new" not in repr(after)


def test_backend_failure_passes_the_prompt_through(nodes: dict[str, type], no_api_key: None) -> None:
    (settings,), _ = _llm(nodes, base_url=refused_url(), model="m")
    inputs = _rewrite_inputs(_persona(nodes), llm=settings, prompt="a red bicycle")
    (text, original, thinking), ui = comfy_host.execute(nodes["ZippPersonaRewrite"], inputs)
    assert text == original == "a red bicycle"
    assert thinking == ""
    shown = ui["text"][0]
    assert shown.startswith("rewrite failed, original prompt passed through")
    assert "ZIPP_STATUS_CONNECTION" in shown and shown.endswith("a red bicycle")


def test_library_error_also_passes_through(nodes: dict[str, type]) -> None:
    inputs = _rewrite_inputs(_persona(nodes), prompt="x" * (16 * 1024 + 1))
    (text, original, _), ui = comfy_host.execute(nodes["ZippPersonaRewrite"], inputs)
    assert text == original
    assert "ZIPP_STATUS_TOO_LARGE" in ui["text"][0]


def test_openai_without_model_is_a_node_error(nodes: dict[str, type], no_api_key: None) -> None:
    with pytest.raises(libzipp.InvalidConfigError, match="model"):
        _llm(nodes, base_url="http://127.0.0.1:1/v1", model="")


def test_rules_backend_from_settings_node(nodes: dict[str, type]) -> None:
    (settings,), ui = _llm(nodes, backend="rules")
    assert settings == {"backend": "rules"}
    assert "rules" in ui["text"][0]
    (text, _, _), _ = comfy_host.execute(nodes["ZippPersonaRewrite"],
                                         _rewrite_inputs(_persona(nodes), llm=settings))
    assert text.startswith("a cat")
