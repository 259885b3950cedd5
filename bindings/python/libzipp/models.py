"""GGUF models of the in-process ``gguf`` backend: the default model, and giving memory back."""

from __future__ import annotations

import ctypes
import os
from typing import Optional, Union

from . import _native
from .errors import InvalidConfigError, check


def default_model_path() -> Optional[str]:
    """The model the ``gguf`` backend uses when none is configured, or None when there is none.

    That is ``ZIPP_MODEL`` if set, else the default model in the cache folder
    (``$ZIPP_CACHE_DIR``, else ``~/.cache/zipp``) if it is installed.
    """
    lib = _native.load()
    out = ctypes.c_void_p()
    status = lib.zipp_default_model_path(ctypes.byref(out))
    if status == InvalidConfigError.status:
        return None
    check(status)
    return _native.take_string(lib, out)


def unload_models(path: Union[str, "os.PathLike[str]", None] = None) -> int:
    """Drops the process's hold on the GGUF model at ``path``, or on every model when None.

    The memory goes back to the system (for example to the image model) once rewrites running
    on it end; rewriters that use it load it again on their next call. Returns how many loaded
    models were dropped (0 when none was loaded).
    """
    lib = _native.load()
    count = ctypes.c_uint32()
    if path is None:
        check(lib.zipp_models_unload_all(ctypes.byref(count)))
    else:
        check(lib.zipp_models_unload(_native.encode(os.fspath(path)), ctypes.byref(count)))
    return int(count.value)
