"""Log records reach a Python callable and the logging module."""

from __future__ import annotations

import logging
import threading
from typing import Iterator

import pytest

import libzipp
from openai_server import OpenAIServer, Reply, completion


@pytest.fixture
def restore_stderr_logging() -> Iterator[None]:
    """Puts the library's logging back to stderr after the test."""
    yield
    libzipp.set_log_handler(None)


def test_handler_receives_records(kenji: libzipp.Persona, openai_server: OpenAIServer,
                                  restore_stderr_logging: None) -> None:
    records: list[tuple[int, str, str, str]] = []
    libzipp.set_log_handler(lambda level, target, message: records.append(
        (level, target, message, threading.current_thread().name)), libzipp.LOG_DEBUG)
    openai_server.replies += [Reply(500, {"error": {"message": "overloaded"}}), Reply(200, completion("a tram"))]
    with libzipp.Rewriter(openai_server.config(max_retries=1)) as rewriter:
        rewriter.rewrite(kenji, "a tram")
    warnings = [r for r in records if r[0] == libzipp.LOG_WARN]
    assert warnings, records
    assert any("HTTP 500" in message and target.startswith("zipp") for _, target, message, _ in warnings)
    assert all(libzipp.LOG_ERROR <= level <= libzipp.LOG_DEBUG for level, *_ in records)


def test_level_filter_and_raising_handler(kenji: libzipp.Persona, openai_server: OpenAIServer,
                                          restore_stderr_logging: None) -> None:
    seen: list[int] = []

    def handler(level: int, target: str, message: str) -> None:
        seen.append(level)
        raise RuntimeError("a broken handler must not break the rewrite")

    with libzipp.Rewriter(openai_server.config(max_retries=1)) as rewriter:
        libzipp.set_log_handler(handler, libzipp.LOG_WARN)
        openai_server.replies.append(Reply(500, {"error": {"message": "x"}}))
        assert rewriter.rewrite(kenji, "a tram", {"seed": 1}).rewrite
        assert libzipp.LOG_WARN in seen
        assert all(level <= libzipp.LOG_WARN for level in seen)

        seen.clear()
        libzipp.set_log_handler(handler, libzipp.LOG_ERROR)
        openai_server.replies.append(Reply(500, {"error": {"message": "x"}}))
        assert rewriter.rewrite(kenji, "a tram", {"seed": 2}).rewrite
        assert libzipp.LOG_WARN not in seen


def test_log_to_logging(kenji: libzipp.Persona, openai_server: OpenAIServer,
                        caplog: pytest.LogCaptureFixture, restore_stderr_logging: None) -> None:
    libzipp.log_to_logging("zipp-test", libzipp.LOG_INFO)
    openai_server.replies.append(Reply(503, {"error": {"message": "busy"}}))
    with caplog.at_level(logging.INFO, logger="zipp-test"):
        with libzipp.Rewriter(openai_server.config(max_retries=1)) as rewriter:
            rewriter.rewrite(kenji, "a tram")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("HTTP 503" in r.getMessage() for r in warnings)
    assert all(r.name.startswith("zipp-test.zipp") for r in warnings)
