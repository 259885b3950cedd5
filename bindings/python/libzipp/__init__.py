"""Python binding of libzipp: zero-shot image personalization from personas.

>>> import libzipp
>>> with libzipp.Persona.from_file("examples/personas/kenji-osaka.json") as persona, \\
...         libzipp.Rewriter({"backend": "rules"}) as rewriter:
...     print(rewriter.rewrite(persona, "a cat", {"seed": 1}).rewrite)

The shared library is loaded on first use (see ``libzipp._native`` for where it is looked for;
``ZIPP_LIBRARY`` overrides) and refused when its C ABI is not 1.2 or a newer 1.x, or when this
CPU lacks the features it was built for (``UnsupportedCpuError``, see ``libzipp.cpu``).
"""

from __future__ import annotations

from . import _native
from ._native import ABI_VERSION_MAJOR, ABI_VERSION_MINOR, LibraryLoadError
from .errors import (
    AuthError,
    BackendConnectionError,
    BackendError,
    BackendTimeoutError,
    BadResponseError,
    BufferTooSmallError,
    ComputeError,
    ERROR_CLASSES,
    InvalidConfigError,
    InvalidGraphError,
    InvalidInputError,
    InvalidJsonError,
    InvalidModelError,
    InvalidOptionsError,
    InvalidPersonaError,
    InvalidUtf8Error,
    ModelNotFoundError,
    NullPointerError,
    OperationCancelledError,
    PanicError,
    PendingError,
    RateLimitedError,
    ServerError,
    TooLargeError,
    UnsupportedError,
    ZippError,
    ZippIOError,
)
from .clip import Clip
from .cpu import UnsupportedCpuError
from .log import LOG_DEBUG, LOG_ERROR, LOG_INFO, LOG_OFF, LOG_TRACE, LOG_WARN, log_to_logging, set_log_handler
from .mine import MineJob
from .models import default_model_path, unload_models
from .persona import Persona
from .personas import example_personas_dir, is_persona_file, list_persona_files
from .pool import RewriterPool
from .result import RewriteFailure, RewriteResult
from .rewriter import Rewriter
from .stream import TokenHandler

__version__ = "0.1.0"


def version() -> str:
    """The loaded library's version, e.g. ``"0.1.0"``."""
    return _native.static_string(_native.load().zipp_version)


def abi_version() -> int:
    """The loaded library's C ABI version, ``(major << 16) | minor``."""
    return int(_native.load().zipp_abi_version())


def library_path() -> str:
    """Where the loaded library came from."""
    return _native.loaded_path()


def status_name(status: int) -> str:
    """The constant's name for a status code, e.g. ``"ZIPP_STATUS_INVALID_JSON"``."""
    return _native.static_string(_native.load().zipp_status_name, status)


def status_description(status: int) -> str:
    """A short description of a status code, e.g. ``"invalid JSON"``."""
    return _native.static_string(_native.load().zipp_status_describe, status)


__all__ = [
    "ABI_VERSION_MAJOR", "ABI_VERSION_MINOR", "AuthError", "BackendConnectionError", "BackendError",
    "BackendTimeoutError", "BadResponseError", "BufferTooSmallError", "Clip", "ComputeError",
    "ERROR_CLASSES",
    "InvalidConfigError", "InvalidGraphError", "InvalidInputError", "InvalidJsonError",
    "InvalidModelError", "InvalidOptionsError", "InvalidPersonaError", "InvalidUtf8Error",
    "LOG_DEBUG", "LOG_ERROR", "LOG_INFO", "LOG_OFF", "LOG_TRACE", "LOG_WARN", "LibraryLoadError",
    "MineJob", "ModelNotFoundError", "NullPointerError", "OperationCancelledError", "PanicError",
    "PendingError", "Persona", "RateLimitedError", "RewriteFailure", "RewriteResult", "Rewriter",
    "RewriterPool", "ServerError", "TokenHandler", "TooLargeError", "UnsupportedCpuError",
    "UnsupportedError", "ZippError",
    "ZippIOError", "abi_version", "default_model_path", "example_personas_dir", "is_persona_file",
    "library_path", "list_persona_files", "log_to_logging", "set_log_handler", "status_description",
    "status_name", "unload_models", "version",
]
