"""Persona round trips through the real library: file, JSON, text, survey, to_json, hash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import libzipp


def test_library_loads_with_abi_major_1() -> None:
    assert libzipp.abi_version() >> 16 == libzipp.ABI_VERSION_MAJOR == 1
    assert libzipp.version() == libzipp.__version__ == "0.1.0"
    assert Path(libzipp.library_path()).name.startswith(("libzipp", "zipp"))


def test_every_example_persona_loads(examples_dir: Path) -> None:
    files = libzipp.list_persona_files([examples_dir])
    assert "persona.schema.json" not in files
    assert len(files) == 12
    for name, path in files.items():
        with libzipp.Persona.from_file(path) as persona:
            assert persona.id == Path(name).stem
            assert len(persona.hash()) == 64


def test_file_json_round_trip_keeps_document_and_hash(kenji: libzipp.Persona, examples_dir: Path) -> None:
    original = json.loads((examples_dir / "kenji-osaka.json").read_text(encoding="utf-8"))
    document = kenji.to_dict()
    assert document["id"] == "kenji-osaka"
    assert document["text"] == original["text"]
    assert document["traits"]["demographics"]["country"] == "JP"
    with libzipp.Persona.from_json(kenji.to_json()) as again:
        assert again.to_dict() == document
        assert again.hash() == kenji.hash()


def test_hash_changes_with_content(kenji: libzipp.Persona) -> None:
    document = kenji.to_dict()
    document["text"] += " I also keep a small vegetable garden."
    with libzipp.Persona.from_json(json.dumps(document)) as changed:
        assert changed.hash() != kenji.hash()
        assert all(c in "0123456789abcdef" for c in changed.hash())


def test_from_text_and_plain_text_file(tmp_path: Path) -> None:
    text = "I'm a night-shift baker in Lyon who loves jazz and warm tungsten light."
    with libzipp.Persona.from_text(text) as persona:
        assert persona.to_dict()["text"] == text
        assert persona.to_dict()["schema"] == "zipp.persona/v1"
        path = tmp_path / "baker.txt"
        path.write_text(text, encoding="utf-8")
        with libzipp.Persona.from_file(path) as from_file:
            assert from_file.to_dict()["text"] == text
            assert from_file.hash() == persona.hash()


def test_from_survey_mapping_and_json_string_agree() -> None:
    survey = {"name": "Ada", "age_band": "25-34", "gender": "woman", "country": "NG",
              "language": "en", "profession": "nurse", "hobbies": ["highlife music", "football"],
              "notes": "likes bright market colours"}
    with libzipp.Persona.from_survey(survey) as a, libzipp.Persona.from_survey(json.dumps(survey)) as b:
        document = a.to_dict()
        assert document["traits"]["demographics"]["age_band"] == "25-34"
        assert document["traits"]["demographics"]["profession"] == "nurse"
        assert "football" in document["traits"]["interests"]
        assert "nurse" in document["text"]
        assert a.hash() == b.hash()


def test_close_is_idempotent_and_closed_persona_is_refused(examples_dir: Path) -> None:
    persona = libzipp.Persona.from_file(examples_dir / "arne-tromso.json")
    assert not persona.closed
    persona.close()
    persona.close()
    assert persona.closed
    with pytest.raises(libzipp.NullPointerError) as info:
        persona.hash()
    assert "NULL" in info.value.message
    assert repr(persona) == "<libzipp.Persona closed>"


def test_context_manager_closes(examples_dir: Path) -> None:
    with libzipp.Persona.from_file(examples_dir / "omar-cairo.json") as persona:
        assert persona.id == "omar-cairo"
    assert persona.closed
