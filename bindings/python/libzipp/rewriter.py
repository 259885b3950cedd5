"""Rewriter: one backend, a cache and default options (``ZippRewriter``)."""

from __future__ import annotations

import ctypes
import json
import weakref
from typing import Any, Mapping, Optional, Union

from . import _native
from .errors import check
from .persona import Persona
from .result import RewriteResult
from .stream import TokenHandler, TokenStream

Settings = Union[Mapping[str, Any], str, None]


def _json_argument(value: Settings) -> Optional[bytes]:
    """A JSON object argument: None stays NULL, a str is passed as it is, a mapping is dumped."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(dict(value))
    return _native.encode(text)


class Rewriter:
    """Rewrites prompts as a persona would want the picture.

    ``config`` is the rewriter configuration (a mapping or JSON object string): ``backend``
    (``"gguf"``, ``"openai"`` or ``"rules"``; when absent, ``gguf`` with the default model if
    one is installed, else ``rules``), for ``gguf`` ``model_path`` (else the default model, see
    :func:`libzipp.default_model_path`), ``context_length`` and ``threads``, for ``openai``
    ``base_url``, ``model``, ``api_key``, ``connect_timeout_ms``, ``timeout_ms``,
    ``max_retries``, ``retry_backoff_ms`` and ``max_retry_wait_ms``, and ``cache_capacity`` and
    ``options``. A GGUF model is loaded here (once per process and file, see
    :func:`libzipp.unload_models`); no request is made to a server.

    Thread-safe: any number of threads may call :meth:`rewrite` at once, and :meth:`cancel`
    stops them from any thread. Free it with :meth:`close` or a ``with`` block (never while
    another thread uses it); a finalizer frees it otherwise.
    """

    __slots__ = ("_ptr", "_finalizer", "__weakref__")

    def __init__(self, config: Settings = None) -> None:
        lib = _native.load()
        out = _native.RewriterPtr()
        check(lib.zipp_rewriter_new(_json_argument(config), ctypes.byref(out)))
        self._ptr: Any = out
        self._finalizer = weakref.finalize(self, lib.zipp_rewriter_free, out)

    @property
    def handle(self) -> Any:
        """The ``ZippRewriter*`` for a C call (a NULL pointer once closed)."""
        return self._ptr if self._finalizer.alive else _native.RewriterPtr()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has freed the handle."""
        return not self._finalizer.alive

    def _call(self, persona: Persona, prompt: str, options: Settings, on_token: Optional[TokenHandler],
              want_text: bool, want_record: bool) -> tuple[Optional[str], Optional[str]]:
        lib = _native.load()
        text = ctypes.c_void_p()
        record = ctypes.c_void_p()
        persona_handle = persona.handle if persona is not None else _native.PersonaPtr()
        outputs = (ctypes.byref(text) if want_text else None, ctypes.byref(record) if want_record else None)
        stream = TokenStream(on_token) if on_token is not None else None  # kept until the call returns
        if stream is None:
            status = lib.zipp_rewriter_rewrite(self.handle, persona_handle, _native.encode(prompt),
                                               _json_argument(options), *outputs)
        else:
            status = lib.zipp_rewriter_rewrite_stream(self.handle, persona_handle, _native.encode(prompt),
                                                      _json_argument(options), stream.callback, None,
                                                      *outputs)
        # The strings are written only on success; they are taken (and freed) before any raise.
        strings = (_native.take_string(lib, text) if want_text and status == 0 else None,
                   _native.take_string(lib, record) if want_record and status == 0 else None)
        if stream is not None:
            stream.raise_pending()
        check(status)
        return strings

    def rewrite(self, persona: Persona, prompt: str, options: Settings = None,
                on_token: Optional[TokenHandler] = None) -> RewriteResult:
        """Rewrites ``prompt`` for ``persona`` and returns the whole result record.

        ``options`` (a mapping or JSON object string) may set ``seed``, ``temperature``,
        ``top_p``, ``top_k``, ``min_p``, ``repeat_penalty`` (the last three for local models),
        ``max_new_tokens``, ``k``, ``word_budget``, ``taste_clauses`` (1-3, the strength of the
        personalization), ``negative_prompt``, ``on_error`` ("fail"
        or "passthrough"), ``examples`` and ``cache``. Blocks while the backend works; the same
        seed returns the cached text at once.

        ``on_token``, when given, receives each piece of the model's raw text (a str) as it is
        generated, on this thread; returning False cancels the rewrite
        (:class:`OperationCancelledError`), any other value (None included) goes on. The
        ``gguf`` backend calls it per token, ``openai`` once with the whole text, ``rules`` and
        a cached result never. An exception it raises cancels the rewrite and is raised here.
        """
        _, record = self._call(persona, prompt, options, on_token, want_text=False, want_record=True)
        assert record is not None
        return RewriteResult.from_record(json.loads(record))

    def rewrite_text(self, persona: Persona, prompt: str, options: Settings = None,
                     on_token: Optional[TokenHandler] = None) -> str:
        """Like :meth:`rewrite`, but returns only the rewritten prompt."""
        text, _ = self._call(persona, prompt, options, on_token, want_text=True, want_record=False)
        assert text is not None
        return text

    def cancel(self) -> None:
        """Cancels every rewrite running on this rewriter now, from any thread.

        Each raises :class:`OperationCancelledError` after at most one more token; calls made
        afterwards run normally.
        """
        check(_native.load().zipp_rewriter_cancel(self.handle))

    def clear_cache(self) -> None:
        """Forgets every cached rewrite of this rewriter."""
        check(_native.load().zipp_rewriter_clear_cache(self.handle))

    def close(self) -> None:
        """Frees the handle now. Safe to call twice; never while another thread uses it."""
        self._finalizer()

    def __enter__(self) -> "Rewriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<libzipp.Rewriter closed>" if self.closed else "<libzipp.Rewriter>"
