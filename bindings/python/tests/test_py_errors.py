"""Each failure raises its ZippError subclass with the library's message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import libzipp


HEADER = Path(__file__).resolve().parents[3] / "include" / "zipp.h"


def header_statuses() -> dict[str, int]:
    """The ZIPP_STATUS_* constants the C header declares, by name."""
    body = HEADER.read_text(encoding="utf-8").split("enum ZippStatus", 1)[1].split("}", 1)[0]
    found = re.findall(r"^\s*(ZIPP_STATUS_[A-Z0-9_]+) = (\d+),", body, flags=re.M)
    return {name: int(code) for name, code in found}


def test_every_status_has_a_class_named_by_the_library() -> None:
    declared = header_statuses()
    assert declared["ZIPP_STATUS_OK"] == 0 and len(declared) >= 26
    # One class per failure code of the header, no more, no less.
    assert sorted(libzipp.ERROR_CLASSES) == sorted(c for c in declared.values() if c != 0)
    for name, status in declared.items():
        assert libzipp.status_name(status) == name
        assert libzipp.status_description(status)
        if status == 0:
            continue
        cls = libzipp.ERROR_CLASSES[status]
        assert issubclass(cls, libzipp.ZippError)
        assert cls.status == status
        assert (cls.__doc__ or "").startswith(f"{name} ({status})"), cls
    assert libzipp.status_name(999) == "ZIPP_STATUS_UNKNOWN"


def test_mining_statuses() -> None:
    assert libzipp.status_name(20) == "ZIPP_STATUS_INVALID_GRAPH"
    assert libzipp.status_name(23) == "ZIPP_STATUS_COMPUTE"
    assert libzipp.status_name(24) == "ZIPP_STATUS_PENDING"
    assert libzipp.ERROR_CLASSES[20] is libzipp.InvalidGraphError
    assert libzipp.ERROR_CLASSES[21] is libzipp.InvalidInputError
    assert libzipp.ERROR_CLASSES[23] is libzipp.ComputeError
    assert libzipp.ERROR_CLASSES[24] is libzipp.PendingError
    assert issubclass(libzipp.ComputeError, ArithmeticError)
    assert issubclass(libzipp.InvalidGraphError, ValueError)


def test_clip_statuses() -> None:
    assert libzipp.status_name(25) == "ZIPP_STATUS_BUFFER_TOO_SMALL"
    assert libzipp.ERROR_CLASSES[25] is libzipp.BufferTooSmallError
    assert issubclass(libzipp.BufferTooSmallError, ValueError)


def test_none_arguments_are_null_pointer_errors(kenji: libzipp.Persona, rules: libzipp.Rewriter) -> None:
    with pytest.raises(libzipp.NullPointerError) as info:
        rules.rewrite(kenji, None)  # type: ignore[arg-type]
    assert info.value.message == "argument `prompt` is NULL"
    assert info.value.status_name == "ZIPP_STATUS_NULL_POINTER"
    assert isinstance(info.value, ValueError)
    with pytest.raises(libzipp.NullPointerError, match="persona"):
        rules.rewrite(None, "a cat")  # type: ignore[arg-type]
    with pytest.raises(libzipp.NullPointerError, match="json"):
        libzipp.Persona.from_json(None)  # type: ignore[arg-type]


def test_bad_json(rules: libzipp.Rewriter, kenji: libzipp.Persona) -> None:
    with pytest.raises(libzipp.InvalidJsonError) as info:
        libzipp.Persona.from_json('{"schema": "zipp.persona/v1", "text": ')
    assert "malformed JSON" in info.value.message
    assert "ZIPP_STATUS_INVALID_JSON" in str(info.value)
    with pytest.raises(libzipp.InvalidJsonError):
        libzipp.Persona.from_survey("not json")
    with pytest.raises(libzipp.InvalidJsonError):
        rules.rewrite(kenji, "a cat", "{seed: 1}")
    with pytest.raises(libzipp.InvalidJsonError):
        libzipp.Rewriter("[")


def test_schema_problems_are_listed_with_paths() -> None:
    document = '{"schema": "zipp.persona/v1", "text": "I paint.", "traits": {"interests": ["a", 2]}}'
    with pytest.raises(libzipp.InvalidPersonaError) as info:
        libzipp.Persona.from_json(document)
    assert "traits.interests[1]" in info.value.message


def test_invalid_utf8_from_undecodable_bytes() -> None:
    undecodable = b"I like \xff light".decode("utf-8", "surrogateescape")
    with pytest.raises(libzipp.InvalidUtf8Error) as info:
        libzipp.Persona.from_text(undecodable)
    assert "not valid UTF-8" in info.value.message


def test_nul_characters_are_refused_before_the_call() -> None:
    with pytest.raises(ValueError, match="NUL"):
        libzipp.Persona.from_text("I paint\0 at night")


def test_oversized_text_and_prompt(kenji: libzipp.Persona, rules: libzipp.Rewriter) -> None:
    big = "x" * (16 * 1024 + 1)
    with pytest.raises(libzipp.TooLargeError) as info:
        libzipp.Persona.from_text(big)
    assert "16384" in info.value.message
    with pytest.raises(libzipp.TooLargeError, match="prompt"):
        rules.rewrite(kenji, big)
    assert rules.rewrite(kenji, "x" * 100).original == "x" * 100


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nobody.json"
    with pytest.raises(libzipp.ZippIOError) as info:
        libzipp.Persona.from_file(missing)
    assert str(missing) in info.value.message
    assert isinstance(info.value, OSError)


def test_bad_options_and_config(kenji: libzipp.Persona, rules: libzipp.Rewriter) -> None:
    with pytest.raises(libzipp.InvalidOptionsError, match="k"):
        rules.rewrite(kenji, "a cat", {"k": 9})
    with pytest.raises(libzipp.InvalidOptionsError, match="word_budget"):
        rules.rewrite(kenji, "a cat", {"word_budget": 2})
    with pytest.raises(libzipp.InvalidOptionsError, match="colour"):
        rules.rewrite(kenji, "a cat", {"colour": "red"})
    with pytest.raises(libzipp.InvalidConfigError, match="backend"):
        libzipp.Rewriter({"backend": "telepathy"})
    with pytest.raises(libzipp.InvalidConfigError, match="model"):
        libzipp.Rewriter({"backend": "openai"})


def test_last_error_is_per_failure(kenji: libzipp.Persona, rules: libzipp.Rewriter) -> None:
    with pytest.raises(libzipp.InvalidOptionsError) as first:
        rules.rewrite(kenji, "a cat", {"k": 9})
    rules.rewrite(kenji, "a cat")
    with pytest.raises(libzipp.NullPointerError) as second:
        rules.rewrite(kenji, None)  # type: ignore[arg-type]
    assert first.value.message != second.value.message
