"""Finding persona files: the example personas and any folder of ``.json`` / ``.txt`` files."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

#: File endings of persona files (JSON documents or plain first-person text).
PERSONA_SUFFIXES = (".json", ".txt")


def example_personas_dir() -> Optional[Path]:
    """The folder of the example personas, or None when this install has none.

    A wheel carries them in the package's ``personas`` folder; a source checkout has them in
    ``examples/personas`` at the repository root.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "personas", here.parent.parent.parent / "examples" / "personas"):
        if candidate.is_dir() and any(is_persona_file(p) for p in candidate.iterdir()):
            return candidate
    return None


def is_persona_file(path: Path) -> bool:
    """True for a ``.json`` or ``.txt`` file that is not a JSON Schema (``*.schema.json``)."""
    name = path.name.lower()
    return path.is_file() and name.endswith(PERSONA_SUFFIXES) and not name.endswith(".schema.json")


def list_persona_files(folders: Iterable[Path]) -> dict[str, Path]:
    """Persona files under ``folders`` (searched recursively), by path relative to their folder.

    When two folders hold the same relative name, the first folder wins.
    """
    found: dict[str, Path] = {}
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if is_persona_file(path):
                found.setdefault(path.relative_to(folder).as_posix(), path)
    return found
