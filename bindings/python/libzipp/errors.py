"""Exceptions: one ZippError subclass per ZippStatus code, each carrying zipp_last_error().

Subclasses also derive from the closest builtin (ValueError, OSError, ConnectionError,
TimeoutError, ArithmeticError) so that callers may catch either; none of them is named like a
builtin.
"""

from __future__ import annotations

from typing import Dict, Type

from . import _native


class ZippError(Exception):
    """A libzipp call failed.

    Attributes:
        status: the ZippStatus code (``ZIPP_STATUS_*`` in zipp.h).
        status_name: the constant's name, e.g. ``"ZIPP_STATUS_INVALID_JSON"``.
        message: the library's message for this failure (``zipp_last_error()``).
    """

    status: int = -1

    def __init__(self, message: str, status: int | None = None, status_name: str = "") -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        self.status_name = status_name
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.status_name}]" if self.status_name else self.message


class PanicError(ZippError):
    """ZIPP_STATUS_PANIC (1): a panic inside the library was stopped at the C border."""
    status = 1


class NullPointerError(ZippError, ValueError):
    """ZIPP_STATUS_NULL_POINTER (2): a required argument was missing (None or a closed handle)."""
    status = 2


class InvalidUtf8Error(ZippError, ValueError):
    """ZIPP_STATUS_INVALID_UTF8 (3): a string argument was not valid UTF-8."""
    status = 3


class InvalidJsonError(ZippError, ValueError):
    """ZIPP_STATUS_INVALID_JSON (4): a JSON argument or file could not be parsed."""
    status = 4


class TooLargeError(ZippError, ValueError):
    """ZIPP_STATUS_TOO_LARGE (5): an input was over its size limit."""
    status = 5


class ZippIOError(ZippError, OSError):
    """ZIPP_STATUS_IO (6): a file could not be read or written."""
    status = 6


class InvalidPersonaError(ZippError, ValueError):
    """ZIPP_STATUS_INVALID_PERSONA (7): a persona document broke the schema."""
    status = 7


class InvalidConfigError(ZippError, ValueError):
    """ZIPP_STATUS_INVALID_CONFIG (8): the rewriter configuration was wrong."""
    status = 8


class InvalidOptionsError(ZippError, ValueError):
    """ZIPP_STATUS_INVALID_OPTIONS (9): the per-call options were wrong."""
    status = 9


class BackendConnectionError(ZippError, ConnectionError):
    """ZIPP_STATUS_CONNECTION (10): the LLM server could not be reached."""
    status = 10


class BackendTimeoutError(ZippError, TimeoutError):
    """ZIPP_STATUS_TIMEOUT (11): the LLM server did not answer in time."""
    status = 11


class AuthError(ZippError):
    """ZIPP_STATUS_AUTH (12): the LLM server refused the credentials."""
    status = 12


class ModelNotFoundError(ZippError):
    """ZIPP_STATUS_MODEL_NOT_FOUND (13): the server does not know the model or endpoint."""
    status = 13


class RateLimitedError(ZippError):
    """ZIPP_STATUS_RATE_LIMITED (14): the server kept answering HTTP 429."""
    status = 14


class ServerError(ZippError):
    """ZIPP_STATUS_SERVER (15): the server kept failing with HTTP 5xx."""
    status = 15


class BadResponseError(ZippError):
    """ZIPP_STATUS_BAD_RESPONSE (16): the server's answer was not a usable completion."""
    status = 16


class BackendError(ZippError):
    """ZIPP_STATUS_BACKEND (17): any other failure of a text backend."""
    status = 17


class OperationCancelledError(ZippError):
    """ZIPP_STATUS_CANCELLED (18): the work was cancelled by the caller."""
    status = 18


class UnsupportedError(ZippError):
    """ZIPP_STATUS_UNSUPPORTED (19): the feature or backend is not available in this build."""
    status = 19


class InvalidGraphError(ZippError, ValueError):
    """ZIPP_STATUS_INVALID_GRAPH (20): a graph file is corrupt, truncated or of another format version."""
    status = 20


class InvalidInputError(ZippError, ValueError):
    """ZIPP_STATUS_INVALID_INPUT (21): an input record could not be used (strict ingest)."""
    status = 21


class InvalidModelError(ZippError, ValueError):
    """ZIPP_STATUS_INVALID_MODEL (22): a model file is corrupt, truncated or of an unsupported kind."""
    status = 22


class ComputeError(ZippError, ArithmeticError):
    """ZIPP_STATUS_COMPUTE (23): a numerical computation failed (a tensor operation, diverged training)."""
    status = 23


class PendingError(ZippError):
    """ZIPP_STATUS_PENDING (24): the job has not finished yet."""
    status = 24


class BufferTooSmallError(ZippError, ValueError):
    """ZIPP_STATUS_BUFFER_TOO_SMALL (25): the caller's buffer was too small for the result."""
    status = 25


#: Exception class for each status code.
ERROR_CLASSES: Dict[int, Type[ZippError]] = {
    cls.status: cls
    for cls in (PanicError, NullPointerError, InvalidUtf8Error, InvalidJsonError, TooLargeError,
                ZippIOError, InvalidPersonaError, InvalidConfigError, InvalidOptionsError,
                BackendConnectionError, BackendTimeoutError, AuthError, ModelNotFoundError,
                RateLimitedError, ServerError, BadResponseError, BackendError,
                OperationCancelledError, UnsupportedError, InvalidGraphError, InvalidInputError,
                InvalidModelError, ComputeError, PendingError, BufferTooSmallError)
}


def error_for_status(status: int, message: str) -> ZippError:
    """The exception for a status code and message (a plain ZippError for an unknown code)."""
    lib = _native.load()
    name = _native.static_string(lib.zipp_status_name, status)
    cls = ERROR_CLASSES.get(status, ZippError)
    return cls(message, status, name)


def check(status: int) -> None:
    """Raises the exception for ``status`` with this thread's zipp_last_error(), unless OK."""
    if status == 0:
        return
    lib = _native.load()
    raise error_for_status(status, _native.static_string(lib.zipp_last_error))
