"""Token streaming: a Python callable behind a ``ZippTokenCallback`` for one rewrite call."""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import _native

#: Receives each piece of generated text; returning False cancels the rewrite, while None or
#: any true value goes on.
TokenHandler = Callable[[str], Any]


class TokenStream:
    """Wraps ``handler`` for ``zipp_rewriter_rewrite_stream`` for the length of one call.

    The C callback object lives as long as this object, so keep it until the call returns.
    An exception raised by the handler never reaches the library: it is kept, the rewrite is
    cancelled (the callback returns false), and :meth:`raise_pending` raises it afterwards.
    """

    __slots__ = ("_handler", "_error", "callback")

    def __init__(self, handler: TokenHandler) -> None:
        self._handler = handler
        self._error: Optional[BaseException] = None
        self.callback = _native.TokenCallback(self._on_piece)

    def _on_piece(self, piece: Optional[bytes], _user: object) -> bool:
        if self._error is not None:
            return False
        try:
            verdict = self._handler((piece or b"").decode("utf-8", "replace"))
        except BaseException as error:  # noqa: BLE001 - nothing may unwind into C
            self._error = error
            return False
        # None (a handler with no return, such as list.append) continues; False cancels.
        return verdict is None or bool(verdict)

    def raise_pending(self) -> None:
        """Raises the handler's exception, if it raised one during the call."""
        error, self._error = self._error, None
        if error is not None:
            raise error
