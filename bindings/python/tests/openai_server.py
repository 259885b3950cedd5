"""A small OpenAI-compatible HTTP server on 127.0.0.1 for the tests (http.server in a thread).

It answers ``POST /v1/chat/completions`` with scripted replies and records every request, so a
test can check what libzipp sent (model, messages, seed, Authorization header).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional


@dataclass
class Reply:
    """One scripted answer: an HTTP status and a JSON body (or raw text)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def completion(content: str, reasoning: Optional[str] = None) -> dict[str, Any]:
    """A chat-completion body whose first choice says ``content``."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    return {"id": "chatcmpl-test", "object": "chat.completion", "model": "test-model",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}}


@dataclass
class Request:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: Any


class OpenAIServer:
    """The server: ``replies`` are used in order, then ``default`` for every later request."""

    def __init__(self, default_content: str = "a cat in soft window light, server rewrite") -> None:
        self.replies: list[Reply] = []
        self.default = Reply(200, completion(default_content))
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep the test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                with server._lock:
                    server.requests.append(Request(self.path, dict(self.headers), body))
                    reply = server.replies.pop(0) if server.replies else server.default
                if self.path.rstrip("/") != "/v1/chat/completions":
                    reply = Reply(404, {"error": {"message": f"no route {self.path}"}})
                data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                payload = data.encode("utf-8")
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="openai-test-server",
                                        daemon=True)

    @property
    def base_url(self) -> str:
        """The ``base_url`` to give libzipp (``/chat/completions`` is appended by the library)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "OpenAIServer":
        """Starts serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving and closes the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def config(self, **extra: Any) -> dict[str, Any]:
        """A rewriter configuration pointing at this server (no retry wait by default)."""
        config: dict[str, Any] = {"backend": "openai", "base_url": self.base_url, "model": "test-model",
                                  "retry_backoff_ms": 1, "max_retry_wait_ms": 10}
        config.update(extra)
        return config


def refused_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens (a port just released by the OS)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
