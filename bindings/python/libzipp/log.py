"""Logging: route libzipp's log records to a Python callable or to the ``logging`` module."""

from __future__ import annotations

import atexit
import logging
import threading
from typing import Callable, Optional

from . import _native
from .errors import check

LOG_OFF = 0
LOG_ERROR = 1
LOG_WARN = 2
LOG_INFO = 3
LOG_DEBUG = 4
LOG_TRACE = 5

#: Receives (level, target, message) for each record; may be called from any thread.
LogHandler = Callable[[int, str, str], None]

_PY_LEVELS = {LOG_ERROR: logging.ERROR, LOG_WARN: logging.WARNING, LOG_INFO: logging.INFO,
              LOG_DEBUG: logging.DEBUG, LOG_TRACE: logging.DEBUG}

_lock = threading.Lock()
# The C function object libzipp holds; kept here for as long as libzipp may call it.
_installed: Optional[object] = None
_atexit_registered = False


def _reset_at_exit() -> None:
    """Sends records back to stderr before the interpreter goes away."""
    global _installed
    with _lock:
        if _installed is not None:
            _native.load().zipp_log_set(_native.LogCallback(), None, LOG_WARN)
            _installed = None


def set_log_handler(handler: Optional[LogHandler], max_level: int = LOG_WARN) -> None:
    """Sends records up to ``max_level`` to ``handler``, or to stderr when it is None.

    Global, replacing any earlier handler. Exceptions raised by the handler are swallowed:
    they cannot cross back into the library.
    """
    global _installed, _atexit_registered
    lib = _native.load()
    with _lock:
        if handler is None:
            check(lib.zipp_log_set(_native.LogCallback(), None, max_level))
            _installed = None
            return

        def trampoline(level: int, target: Optional[bytes], message: Optional[bytes], _user: object) -> None:
            try:
                handler(int(level), (target or b"").decode("utf-8", "replace"),
                        (message or b"").decode("utf-8", "replace"))
            except Exception:  # noqa: BLE001 - nothing may unwind into C
                pass

        callback = _native.LogCallback(trampoline)
        check(lib.zipp_log_set(callback, None, max_level))
        _installed = callback
        if not _atexit_registered:
            atexit.register(_reset_at_exit)
            _atexit_registered = True


def log_to_logging(logger: str = "zipp", max_level: int = LOG_INFO) -> None:
    """Forwards libzipp's records to the Python logger ``logger`` (child loggers per target)."""
    base = logging.getLogger(logger)

    def handler(level: int, target: str, message: str) -> None:
        child = base.getChild(target.replace("::", ".")) if target else base
        child.log(_PY_LEVELS.get(level, logging.INFO), "%s", message)

    set_log_handler(handler, max_level)
