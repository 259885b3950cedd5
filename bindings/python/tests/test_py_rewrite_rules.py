"""Rewrites with the model-free rules backend."""

from __future__ import annotations

from pathlib import Path

import pytest

import libzipp


def test_rewrite_record_fields(kenji: libzipp.Persona, rules: libzipp.Rewriter) -> None:
    result = rules.rewrite(kenji, "a cat on a windowsill", {"seed": 3, "k": 2, "negative_prompt": "blurry"})
    assert result.original == "a cat on a windowsill"
    assert result.rewrite.startswith("a cat")
    assert result.rewrite != result.original
    assert result.backend == "rules"
    assert result.persona_id == "kenji-osaka"
    assert result.negative_prompt == "blurry"
    assert result.seed == 3
    assert result.error is None and not result.failed
    assert result.cache_hit is False
    assert result.raw["rewrite"] == result.rewrite


def test_same_seed_is_cached_and_text_matches(kenji: libzipp.Persona, rules: libzipp.Rewriter) -> None:
    first = rules.rewrite(kenji, "a harbour at dawn", {"seed": 7})
    second = rules.rewrite(kenji, "a harbour at dawn", {"seed": 7})
    assert second.cache_hit is True
    assert second.rewrite == first.rewrite
    assert rules.rewrite_text(kenji, "a harbour at dawn", {"seed": 7}) == first.rewrite
    rules.clear_cache()
    assert rules.rewrite(kenji, "a harbour at dawn", {"seed": 7}).cache_hit is False


def test_personas_rewrite_differently(examples_dir: Path, rules: libzipp.Rewriter) -> None:
    with libzipp.Persona.from_file(examples_dir / "kenji-osaka.json") as kenji, \
            libzipp.Persona.from_file(examples_dir / "amara-lagos.json") as amara:
        a = rules.rewrite_text(kenji, "a street market", {"seed": 1})
        b = rules.rewrite_text(amara, "a street market", {"seed": 1})
    assert a != b


def test_default_rewriter_and_json_string_options(kenji: libzipp.Persona) -> None:
    with libzipp.Rewriter() as rewriter:
        result = rewriter.rewrite(kenji, "a bowl of noodles", '{"seed": 2, "word_budget": 20}')
    assert result.backend == "rules"
    assert len(result.rewrite.split()) <= 20


def test_closed_rewriter_is_refused(kenji: libzipp.Persona) -> None:
    rewriter = libzipp.Rewriter({"backend": "rules"})
    rewriter.close()
    with pytest.raises(libzipp.NullPointerError) as info:
        rewriter.rewrite(kenji, "a cat")
    assert info.value.status == 2
    assert "rewriter" in info.value.message
