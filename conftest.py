"""Repository-wide pytest setup.

- Points ``ZIPP_LIBRARY`` at the library that ``cargo test`` / ``cargo build`` left in
  target (debug/deps, debug or release, the newest) of this checkout or of ``CARGO_TARGET_DIR``,
  unless the variable is already set.
- Makes the Python binding (``bindings/python``) importable without installing it.
- Provides ``openai_server``: a small OpenAI-compatible server on 127.0.0.1 for any test.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parent
_NAME = {"win32": "zipp.dll", "darwin": "libzipp.dylib"}.get(sys.platform, "libzipp.so")

if not os.environ.get("ZIPP_LIBRARY"):
    _TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    # `cargo test` leaves the cdylib in debug/deps; `cargo build` also copies it to debug/.
    _FOUND = [p for p in (_TARGET / "debug" / _NAME, _TARGET / "debug" / "deps" / _NAME,
                          _TARGET / "release" / _NAME) if p.is_file()]
    if _FOUND:
        os.environ["ZIPP_LIBRARY"] = str(max(_FOUND, key=lambda p: p.stat().st_mtime))

# Tests run without a default model unless they name one, so that a rewriter with no backend
# configured is the rules backend whatever this machine has in its cache folder. The real cache
# folder stays reachable for tests that want the installed model.
os.environ.setdefault("ZIPP_TEST_CACHE_DIR", os.environ.get("ZIPP_CACHE_DIR", ""))
os.environ["ZIPP_CACHE_DIR"] = str(ROOT / "target" / "no-model-cache")
os.environ.pop("ZIPP_MODEL", None)

for path in (ROOT / "bindings" / "python", ROOT / "bindings" / "python" / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from openai_server import OpenAIServer  # noqa: E402  (needs the path above)


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A running OpenAI-compatible test server, stopped after the test."""
    server = OpenAIServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def unload_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records each ``libzipp.unload_models`` call (its ``path`` argument), still unloading."""
    import libzipp

    calls: list[Any] = []
    real_unload = libzipp.unload_models

    def unload(path: Any = None) -> int:
        calls.append(path)
        return real_unload(path)

    monkeypatch.setattr(libzipp, "unload_models", unload)
    return calls
