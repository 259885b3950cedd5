"""The gguf backend with the real default model: streaming, cancelling from another thread,
unloading. Skipped when the model is not installed (failed when ZIPP_REQUIRE_MODELS=1)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import libzipp
from real_model import default_model


@pytest.fixture
def qwen_model() -> Path:
    """The installed default model (see real_model)."""
    return default_model()


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
