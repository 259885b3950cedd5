"""Nodes that make a persona: from a file or inline text/JSON, and from survey answers."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from comfy_api.latest import io, ui

import libzipp

from . import folders
from .common import CATEGORY, Persona

#: Dropdown entry meaning "no file: use the inline text".
NO_FILE = "(inline only)"

#: Age bands of the persona schema; "unspecified" leaves the answer out.
AGE_BANDS = ["unspecified", "under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]


def _summary(persona: libzipp.Persona) -> str:
    """One line naming the persona, then its first-person text."""
    document = persona.to_dict()
    label = document.get("name") or document.get("id") or persona.hash()[:12]
    return f"{label}\n\n{document.get('text', '')}"


def load_persona(persona_file: str, inline: str) -> libzipp.Persona:
    """Inline text (JSON when it starts with "{", else plain text) wins; else the file."""
    text = inline.strip()
    if text:
        return libzipp.Persona.from_json(text) if text.startswith("{") else libzipp.Persona.from_text(text)
    if persona_file == NO_FILE:
        raise ValueError("choose a persona file or write the persona in 'inline'")
    path = folders.persona_path(persona_file)
    if path is None:
        raise FileNotFoundError(f"persona file '{persona_file}' is not in any personas folder")
    return libzipp.Persona.from_file(path)


class PersonaLoad(io.ComfyNode):
    """Loads a persona from the personas folder, or from inline text or JSON."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ZippPersonaLoad",
            display_name="Persona Load",
            category=CATEGORY,
            description="Loads a persona: a file from models/personas (or the examples), "
                        "or inline first-person text or persona JSON, which wins when not empty.",
            inputs=[
                io.Combo.Input("persona_file", options=folders.persona_files() + [NO_FILE],
                               tooltip="A .json or .txt file from ComfyUI/models/personas or the examples."),
                io.String.Input("inline", multiline=True, default="", optional=True,
                                tooltip="First-person persona text or a zipp.persona/v1 JSON document; "
                                        "overrides the file when not empty."),
            ],
            outputs=[
                Persona.Output("persona", display_name="persona"),
                io.String.Output("persona_json", display_name="persona_json"),
            ],
        )

    @classmethod
    def execute(cls, persona_file: str, inline: str = "") -> io.NodeOutput:
        persona = load_persona(persona_file, inline or "")
        return io.NodeOutput(persona, persona.to_json(), ui=ui.PreviewText(_summary(persona)))

    @classmethod
    def fingerprint_inputs(cls, persona_file: Any = None, inline: Any = None) -> str:
        """Changes when the chosen file's content changes, so an edited file is reloaded."""
        digest = hashlib.sha256(repr((persona_file, inline)).encode("utf-8", "replace"))
        try:
            path = folders.persona_path(str(persona_file)) if persona_file else None
            if path is not None:
                with open(path, "rb") as handle:
                    digest.update(handle.read())
        except (OSError, ValueError):
            digest.update(b"unreadable")
        return digest.hexdigest()


class PersonaFromSurvey(io.ComfyNode):
    """Builds a persona from intake-survey answers."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ZippPersonaFromSurvey",
            display_name="Persona From Survey",
            category=CATEGORY,
            description="Builds a first-person persona from a few survey answers.",
            inputs=[
                io.String.Input("name", default=""),
                io.Combo.Input("age_band", options=AGE_BANDS, default="unspecified"),
                io.String.Input("gender", default=""),
                io.String.Input("country", default="", tooltip="Country name or ISO code, e.g. JP"),
                io.String.Input("language", default="", tooltip="Language, e.g. ja"),
                io.String.Input("profession", default=""),
                io.String.Input("hobbies", default="", tooltip="Comma-separated"),
                io.String.Input("notes", multiline=True, default="",
                                tooltip="Anything else: tastes in light, colour, places, mood."),
            ],
            outputs=[
                Persona.Output("persona", display_name="persona"),
                io.String.Output("persona_json", display_name="persona_json"),
            ],
        )

    @classmethod
    def execute(cls, name: str, age_band: str, gender: str, country: str, language: str,
                profession: str, hobbies: str, notes: str) -> io.NodeOutput:
        answers = {"name": name, "gender": gender, "country": country, "language": language,
                   "profession": profession, "hobbies": hobbies, "notes": notes}
        survey = {key: value.strip() for key, value in answers.items() if value and value.strip()}
        if age_band and age_band != "unspecified":
            survey["age_band"] = age_band
        persona = libzipp.Persona.from_survey(json.dumps(survey))
        return io.NodeOutput(persona, persona.to_json(), ui=ui.PreviewText(_summary(persona)))


__all__ = ["PersonaLoad", "PersonaFromSurvey", "load_persona", "NO_FILE", "AGE_BANDS"]
