"""The gguf backend with the real default model: streaming, cancelling from another thread,
unloading. Skipped when the model is not installed (failed when ZIPP_REQUIRE_MODELS=1)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import libzipp

#: The default model's file name in ``<cache>/models``.
MODEL_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


def _candidates() -> list[Path]:
    """ZIPP_TEST_QWEN, then the default model in the real cache folder (the root conftest keeps
    it in ZIPP_TEST_CACHE_DIR; ~/.cache/zipp when that is empty)."""
    found = [Path(os.environ["ZIPP_TEST_QWEN"]).expanduser()] if os.environ.get("ZIPP_TEST_QWEN") else []
    cache = os.environ.get("ZIPP_TEST_CACHE_DIR") or str(Path.home() / ".cache" / "zipp")
    return found + [Path(cache).expanduser() / "models" / MODEL_FILE]


@pytest.fixture
def qwen_model() -> Path:
    """The installed default model; skips (fails with ZIPP_REQUIRE_MODELS=1) when there is none."""
    for path in _candidates():
        if path.is_file():
            return path
    reason = ("the default GGUF model is not installed (looked at " +
              ", ".join(str(p) for p in _candidates()) + "); set ZIPP_TEST_QWEN to its file")
    if os.environ.get("ZIPP_REQUIRE_MODELS") == "1":
        pytest.fail(f"ZIPP_REQUIRE_MODELS=1 but {reason}")
    pytest.skip(reason)


def test_gguf_streams_cancels_from_another_thread_and_unloads(qwen_model: Path) -> None:
    config = {"backend": "gguf", "model_path": str(qwen_model), "threads": 2, "context_length": 2048}
    options = {"max_new_tokens": 40, "seed": 1}
    # A short persona keeps the prompt (and the test on two CPU threads) short.
    with libzipp.Rewriter(config) as rewriter, \
            libzipp.Persona.from_text("I am a retired railway engineer in Osaka; I like muted film colours.") as persona:
        pieces: list[str] = []
        result = rewriter.rewrite(persona, "a cat on a windowsill", options, on_token=pieces.append)
        assert "".join(pieces).strip()
        assert result.backend == "gguf" and result.rewrite.strip() and result.error is None

        cancelled = threading.Event()
        seen: list[str] = []

        def cancel() -> None:
            rewriter.cancel()
            cancelled.set()

        def on_token(piece: str) -> bool:
            seen.append(piece)
            if len(seen) == 1:
                # Cancelled by another thread while this rewrite is certainly still running.
                threading.Timer(0.01, cancel).start()
                assert cancelled.wait(30)
            return True

        with pytest.raises(libzipp.OperationCancelledError):
            rewriter.rewrite(persona, "a harbour at dawn", dict(options, seed=2), on_token=on_token)
        assert 1 <= len(seen) <= 2
    assert libzipp.unload_models() >= 1
    assert libzipp.unload_models() == 0
