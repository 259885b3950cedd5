"""Where the Python tests find the real default model: ZIPP_TEST_QWEN, else the default model in
the real cache folder. Missing, a test prints SKIPPED and passes, or fails with
ZIPP_REQUIRE_MODELS=1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The default model's file name in ``<cache>/models``.
MODEL_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


def candidates() -> list[Path]:
    """ZIPP_TEST_QWEN, then the default model in the real cache folder (the root conftest keeps
    it in ZIPP_TEST_CACHE_DIR; ~/.cache/zipp when that is empty)."""
    found = [Path(os.environ["ZIPP_TEST_QWEN"]).expanduser()] if os.environ.get("ZIPP_TEST_QWEN") else []
    cache = os.environ.get("ZIPP_TEST_CACHE_DIR") or str(Path.home() / ".cache" / "zipp")
    return found + [Path(cache).expanduser() / "models" / MODEL_FILE]


def default_model() -> Path:
    """The installed default model; skips (fails with ZIPP_REQUIRE_MODELS=1) when there is none."""
    for path in candidates():
        if path.is_file():
            return path
    reason = ("the default GGUF model is not installed (looked at " +
              ", ".join(str(p) for p in candidates()) + "); set ZIPP_TEST_QWEN to its file")
    if os.environ.get("ZIPP_REQUIRE_MODELS") == "1":
        pytest.fail(f"ZIPP_REQUIRE_MODELS=1 but {reason}")
    print(f"SKIPPED: {reason}")
    pytest.skip(reason)
