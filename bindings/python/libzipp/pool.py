"""RewriterPool: one long-lived Rewriter per backend setting, shared by a host's nodes.

Reusing the rewriter keeps libzipp's rewrite cache warm, so a fixed seed returns the same
text at once on the next run.
"""

from __future__ import annotations

import threading
from typing import Any, Mapping

from .host_config import rewriter_config, settings_fingerprint
from .rewriter import Rewriter


class RewriterPool:
    """Thread-safe map from public backend settings to a Rewriter made from them."""

    def __init__(self, max_size: int = 8) -> None:
        self._lock = threading.Lock()
        self._rewriters: dict[str, Rewriter] = {}
        self._max_size = max_size

    def get(self, settings: Mapping[str, Any]) -> Rewriter:
        """The rewriter for ``settings`` (made on first use, with the API key added)."""
        key = settings_fingerprint(settings)
        with self._lock:
            rewriter = self._rewriters.get(key)
            if rewriter is None:
                rewriter = Rewriter(rewriter_config(settings))
                if len(self._rewriters) >= self._max_size:
                    # Dropped, not closed: another thread may still be using it; the
                    # finalizer frees it once the last reference is gone.
                    self._rewriters.pop(next(iter(self._rewriters)))
                self._rewriters[key] = rewriter
            return rewriter

    def clear(self) -> None:
        """Forgets every rewriter (each is freed once no caller holds it)."""
        with self._lock:
            self._rewriters.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._rewriters)
