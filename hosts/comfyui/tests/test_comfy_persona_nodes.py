"""Persona Load and Persona From Survey, executed as ComfyUI executes them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import comfy_host
import libzipp


def test_load_example_file(nodes: dict[str, type]) -> None:
    load = nodes["ZippPersonaLoad"]
    inputs = {"persona_file": "priya-bengaluru.json", "inline": ""}
    assert comfy_host.validate(load, inputs) == []
    (persona, persona_json), ui = comfy_host.execute(load, inputs)
    assert isinstance(persona, libzipp.Persona)
    assert persona.id == "priya-bengaluru"
    assert json.loads(persona_json)["id"] == "priya-bengaluru"
    assert ui["text"][0].startswith(persona.name or "")


def test_inline_text_and_json_override_the_file(nodes: dict[str, type]) -> None:
    load = nodes["ZippPersonaLoad"]
    (persona, _), _ = comfy_host.execute(load, {"persona_file": "(inline only)",
                                                "inline": "I restore old boats in Kochi."})
    assert persona.to_dict()["text"] == "I restore old boats in Kochi."
    document = {"schema": "zipp.persona/v1", "id": "inline-json", "text": "I sketch trams in Lisbon."}
    (persona, _), _ = comfy_host.execute(load, {"persona_file": "kenji-osaka.json",
                                                "inline": json.dumps(document)})
    assert persona.id == "inline-json"


def test_optional_inline_may_be_absent(nodes: dict[str, type]) -> None:
    (persona, _), _ = comfy_host.execute(nodes["ZippPersonaLoad"], {"persona_file": "arne-tromso.json"})
    assert persona.id == "arne-tromso"


def test_load_errors(nodes: dict[str, type]) -> None:
    load = nodes["ZippPersonaLoad"]
    with pytest.raises(ValueError, match="choose a persona file"):
        comfy_host.execute(load, {"persona_file": "(inline only)", "inline": "  "})
    with pytest.raises(FileNotFoundError, match="gone.json"):
        comfy_host.execute(load, {"persona_file": "gone.json", "inline": ""})
    assert comfy_host.validate(load, {"persona_file": "gone.json"}) == ["persona_file: 'gone.json' not in list"]
    with pytest.raises(libzipp.InvalidPersonaError, match="text"):
        comfy_host.execute(load, {"persona_file": "(inline only)", "inline": '{"schema": "zipp.persona/v1"}'})


def test_fingerprint_follows_file_content(nodes: dict[str, type], models_dir: Path) -> None:
    load = nodes["ZippPersonaLoad"]
    path = models_dir / "personas" / "me.txt"
    path.write_text("I like fog.", encoding="utf-8")
    inputs = {"persona_file": "me.txt", "inline": ""}
    first = comfy_host.fingerprint(load, inputs)
    assert not comfy_host.changed(first, comfy_host.fingerprint(load, inputs))
    path.write_text("I like bright noon light.", encoding="utf-8")
    assert comfy_host.changed(first, comfy_host.fingerprint(load, inputs))
    path.unlink()
    missing = comfy_host.fingerprint(load, inputs)
    assert not (isinstance(missing, float) and math.isnan(missing))
    linked = comfy_host.fingerprint(load, inputs, linked=["inline"])
    assert isinstance(linked, list)


def test_survey_node(nodes: dict[str, type]) -> None:
    survey = nodes["ZippPersonaFromSurvey"]
    inputs = {"name": "Tunde", "age_band": "35-44", "gender": "man", "country": "NG", "language": "yo",
              "profession": "tailor", "hobbies": "afrobeat, football", "notes": "loves saturated colour"}
    assert comfy_host.validate(survey, inputs) == []
    (persona, persona_json), ui = comfy_host.execute(survey, inputs)
    document = json.loads(persona_json)
    assert document["traits"]["demographics"]["age_band"] == "35-44"
    assert document["traits"]["demographics"]["profession"] == "tailor"
    assert "football" in document["traits"]["interests"]
    assert persona.hash() == libzipp.Persona.from_json(persona_json).hash()
    assert "Tunde" in ui["text"][0]


def test_survey_unspecified_answers_are_left_out(nodes: dict[str, type]) -> None:
    inputs = {"name": "", "age_band": "unspecified", "gender": "", "country": "PE", "language": "",
              "profession": "", "hobbies": "", "notes": ""}
    (_, persona_json), _ = comfy_host.execute(nodes["ZippPersonaFromSurvey"], inputs)
    demographics = json.loads(persona_json)["traits"]["demographics"]
    assert demographics == {"country": "PE"}
    assert comfy_host.validate(nodes["ZippPersonaFromSurvey"], dict(inputs, age_band="40")) == [
        "age_band: '40' not in list"]
