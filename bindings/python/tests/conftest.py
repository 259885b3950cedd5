"""Fixtures for the Python binding's tests: example personas and open handles."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

import libzipp

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "personas"


@pytest.fixture
def examples_dir() -> Path:
    """The repository's example personas."""
    return EXAMPLES


@pytest.fixture
def kenji() -> Iterator[libzipp.Persona]:
    """The Osaka example persona, closed after the test."""
    with libzipp.Persona.from_file(EXAMPLES / "kenji-osaka.json") as persona:
        yield persona


@pytest.fixture
def rules() -> Iterator[libzipp.Rewriter]:
    """A rules-backend rewriter, closed after the test."""
    with libzipp.Rewriter({"backend": "rules"}) as rewriter:
        yield rewriter
