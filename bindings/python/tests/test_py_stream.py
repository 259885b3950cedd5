"""Streaming rewrites (``on_token``) and cancel(), with the rules backend and the test server."""

from __future__ import annotations

import pytest

import libzipp
from openai_server import OpenAIServer, Reply, completion


def test_cancel_on_an_idle_rewriter_is_fine(rules: libzipp.Rewriter, kenji: libzipp.Persona) -> None:
    rules.cancel()
    rules.cancel()
    assert rules.rewrite(kenji, "a cat", {"seed": 1}).rewrite.startswith("a cat")


def test_cancel_on_a_closed_rewriter_is_refused() -> None:
    rewriter = libzipp.Rewriter({"backend": "rules"})
    rewriter.close()
    with pytest.raises(libzipp.NullPointerError, match="rewriter"):
        rewriter.cancel()


def test_rules_backend_never_calls_on_token(rules: libzipp.Rewriter, kenji: libzipp.Persona) -> None:
    pieces: list[str] = []
    streamed = rules.rewrite(kenji, "a cat on a windowsill", {"seed": 3}, on_token=pieces.append)
    assert pieces == []
    assert streamed.backend == "rules" and streamed.rewrite.startswith("a cat")
    rules.clear_cache()
    assert rules.rewrite(kenji, "a cat on a windowsill", {"seed": 3}).rewrite == streamed.rewrite
    assert rules.rewrite_text(kenji, "a cat on a windowsill", {"seed": 3}, on_token=pieces.append) == streamed.rewrite
    assert pieces == []


def test_openai_backend_streams_the_whole_text_once(kenji: libzipp.Persona, openai_server: OpenAIServer) -> None:
    openai_server.replies.append(Reply(200, completion("<think>quiet frames</think>a grey cat, soft grain")))
    pieces: list[str] = []

    def on_token(piece: str) -> bool:
        pieces.append(piece)
        return True

    with libzipp.Rewriter(openai_server.config(max_retries=0)) as rewriter:
        result = rewriter.rewrite(kenji, "a cat", {"seed": 4}, on_token=on_token)
        assert result.rewrite == "a grey cat, soft grain" and result.thinking == "quiet frames"
        assert pieces == ["<think>quiet frames</think>a grey cat, soft grain"]
        # the same seed comes from the cache, without a call
        assert rewriter.rewrite_text(kenji, "a cat", {"seed": 4}, on_token=on_token) == result.rewrite
    assert len(pieces) == 1 and len(openai_server.requests) == 1


def test_returning_false_cancels(kenji: libzipp.Persona, openai_server: OpenAIServer) -> None:
    with libzipp.Rewriter(openai_server.config(max_retries=0)) as rewriter:
        with pytest.raises(libzipp.OperationCancelledError) as info:
            rewriter.rewrite(kenji, "a cat", {"seed": 5}, on_token=lambda piece: False)
        assert info.value.status == 18 and info.value.status_name == "ZIPP_STATUS_CANCELLED"
        # a cancelled call is not cached, and the next call runs normally
        assert rewriter.rewrite(kenji, "a cat", {"seed": 5}).rewrite == "a cat in soft window light, server rewrite"
    assert len(openai_server.requests) == 2


def test_passthrough_does_not_hide_a_cancel(kenji: libzipp.Persona, openai_server: OpenAIServer) -> None:
    with libzipp.Rewriter(openai_server.config(max_retries=0)) as rewriter:
        with pytest.raises(libzipp.OperationCancelledError):
            rewriter.rewrite(kenji, "a cat", {"on_error": "passthrough"}, on_token=lambda piece: False)


def test_exception_in_the_callback_is_raised_after_the_call(kenji: libzipp.Persona,
                                                           openai_server: OpenAIServer) -> None:
    class Stop(Exception):
        pass

    def stop(piece: str) -> bool:
        raise Stop(piece)

    def interrupt(piece: str) -> bool:
        raise KeyboardInterrupt

    with libzipp.Rewriter(openai_server.config(max_retries=0)) as rewriter:
        with pytest.raises(Stop, match="server rewrite"):
            rewriter.rewrite(kenji, "a cat", {"seed": 6}, on_token=stop)
        with pytest.raises(KeyboardInterrupt):
            rewriter.rewrite_text(kenji, "a cat", {"seed": 6}, on_token=interrupt)
        assert rewriter.rewrite(kenji, "a cat", {"seed": 6}, on_token=lambda piece: True).rewrite
