"""The web UI extension-index entry: the index template's fields, known tags, a real date."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[1]
#: The tags the extension index defines.
INDEX_TAGS = {"script", "localization", "tab", "dropdown", "ads", "installed", "training", "models", "UI related",
              "prompting", "editing", "manipulations", "online", "animation", "query", "science"}


def test_index_entry_has_the_template_fields() -> None:
    entry = json.loads((EXTENSION / "extension-index-entry.json").read_text(encoding="utf-8"))
    assert set(entry) == {"name", "url", "description", "tags", "added"}
    assert entry["name"] == "ZIPP Persona Prompts"
    assert isinstance(entry["url"], str)  # filled in with the public repository when submitting
    assert 20 < len(entry["description"]) < 600
    assert entry["tags"] and set(entry["tags"]) <= INDEX_TAGS
    assert {"script", "prompting"} <= set(entry["tags"])
    datetime.date.fromisoformat(entry["added"])
