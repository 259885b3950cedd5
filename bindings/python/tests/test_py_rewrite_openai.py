"""Rewrites with the openai backend against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

import libzipp
from openai_server import OpenAIServer, Reply, completion, refused_url


def test_rewrite_goes_through_the_server(kenji: libzipp.Persona, openai_server: OpenAIServer) -> None:
    openai_server.replies.append(Reply(200, completion("a cat on worn wood, soft overcast light",
                                                       reasoning="he likes quiet frames")))
    with libzipp.Rewriter(openai_server.config(api_key="sk-test-123")) as rewriter:
        result = rewriter.rewrite(kenji, "a cat", {"seed": 42, "temperature": 0.2})
    assert result.rewrite == "a cat on worn wood, soft overcast light"
    assert result.thinking == "he likes quiet frames"
    assert result.backend == "openai"
    assert result.guard == "first"
    assert result.completion_tokens == 7
    request = openai_server.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-test-123"
    assert request.body["model"] == "test-model"
    assert request.body["seed"] == 42
    # On a server the model role-plays Kenji (the paper's method): his first-person text is the
    # system turn and the prompt the last turn.
    assert result.method == "roleplay"
    assert request.body["messages"][0]["content"].startswith(json.loads(kenji.to_json())["text"].strip())
    assert request.body["messages"][-1]["content"] == "a cat"


def test_the_taste_method_sends_the_subject_and_style_not_the_biography(
        kenji: libzipp.Persona, openai_server: OpenAIServer) -> None:
    openai_server.replies.append(Reply(200, completion("a cat on worn wood, soft overcast light")))
    with libzipp.Rewriter(openai_server.config()) as rewriter:
        result = rewriter.rewrite(kenji, "a cat", {"method": "taste"})
    assert result.method == "taste"
    sent = json_text(openai_server.requests[0].body["messages"])
    assert openai_server.requests[0].body["messages"][-1]["content"].startswith("Subject: a cat\nStyle: ")
    assert "Kenji" not in sent


def json_text(messages: list[dict[str, str]]) -> str:
    """All message contents in one string."""
    return "\n".join(str(m.get("content", "")) for m in messages)


def test_500_then_success_is_retried(kenji: libzipp.Persona, openai_server: OpenAIServer) -> None:
    openai_server.replies += [Reply(500, {"error": {"message": "overloaded"}}),
                              Reply(200, completion("a lantern-lit alley after rain"))]
    with libzipp.Rewriter(openai_server.config(max_retries=2)) as rewriter:
        result = rewriter.rewrite(kenji, "an alley", {"seed": 1})
    assert result.rewrite == "a lantern-lit alley after rain"
    assert len(openai_server.requests) == 2
    assert result.error is None
    assert "the server answered on attempt 2" in result.notes


def test_500_every_time_raises_server_error(kenji: libzipp.Persona, openai_server: OpenAIServer) -> None:
    openai_server.default = Reply(500, {"error": {"message": "down"}})
    with libzipp.Rewriter(openai_server.config(max_retries=1)) as rewriter:
        with pytest.raises(libzipp.ServerError) as info:
            rewriter.rewrite(kenji, "an alley")
    assert info.value.status == 15
    assert info.value.status_name == "ZIPP_STATUS_SERVER"
    assert "500" in info.value.message
    assert len(openai_server.requests) == 2


def test_refused_connection_raises(kenji: libzipp.Persona) -> None:
    config = {"backend": "openai", "base_url": refused_url(), "model": "m", "max_retries": 0}
    with libzipp.Rewriter(config) as rewriter:
        with pytest.raises(libzipp.BackendConnectionError) as info:
            rewriter.rewrite(kenji, "a cat")
    assert isinstance(info.value, ConnectionError)
    assert "connect" in info.value.message


def test_on_error_passthrough_returns_original(kenji: libzipp.Persona) -> None:
    config = {"backend": "openai", "base_url": refused_url(), "model": "m", "max_retries": 0}
    with libzipp.Rewriter(config) as rewriter:
        result = rewriter.rewrite(kenji, "a cat", {"on_error": "passthrough", "seed": 5})
    assert result.rewrite == "a cat"
    assert result.failed
    assert result.error is not None
    assert result.error.status == "ZIPP_STATUS_CONNECTION"
    assert result.error.code == 10


def test_auth_and_model_errors(kenji: libzipp.Persona, openai_server: OpenAIServer) -> None:
    openai_server.replies += [Reply(401, {"error": {"message": "bad key"}}),
                              Reply(404, {"error": {"message": "no such model"}})]
    with libzipp.Rewriter(openai_server.config(max_retries=0)) as rewriter:
        with pytest.raises(libzipp.AuthError):
            rewriter.rewrite(kenji, "a cat", {"seed": 1})
        with pytest.raises(libzipp.ModelNotFoundError):
            rewriter.rewrite(kenji, "a cat", {"seed": 2})


def test_unusable_answer_is_bad_response(kenji: libzipp.Persona, openai_server: OpenAIServer) -> None:
    openai_server.replies.append(Reply(200, {"choices": []}))
    with libzipp.Rewriter(openai_server.config(max_retries=0)) as rewriter:
        with pytest.raises(libzipp.BadResponseError):
            rewriter.rewrite(kenji, "a cat")


def test_a_title_is_retried_and_the_record_says_so(kenji: libzipp.Persona, openai_server: OpenAIServer) -> None:
    openai_server.replies.append(Reply(200, completion("Cat Portrait: A Study")))
    openai_server.replies.append(Reply(200, completion("a cat on worn wood, soft overcast light")))
    with libzipp.Rewriter(openai_server.config()) as rewriter:
        result = rewriter.rewrite(kenji, "a cat", {"seed": 1})
    assert result.rewrite == "a cat on worn wood, soft overcast light"
    assert result.guard == "retry"
    assert any("a title instead of a description" in n for n in result.notes)
    assert len(openai_server.requests) == 2
