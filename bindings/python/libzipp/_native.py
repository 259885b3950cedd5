"""The ctypes layer: finds libzipp, checks its ABI and declares every C prototype of zipp.h.

This is the only module that touches ctypes. Each ``_declare`` call below mirrors one
prototype of ``include/zipp.h``; keep them in the header's order when the header grows.

The library is looked for, in order:

1. the file named by the ``ZIPP_LIBRARY`` environment variable (nothing else is tried if it
   is set);
2. the package's own folder (where the wheel puts it);
3. the platform's usual names through the system loader (``libzipp.so``, ``libzipp.dylib``,
   ``zipp.dll``) and ``ctypes.util.find_library``;
4. as a developer convenience, ``target/release`` then ``target/debug`` of the source
   checkout that holds this package.

Before any of them is loaded, ``cpu.require`` checks that this CPU has the features the library
was built for (x86-64-v3 unless the wheel's build record says otherwise) and raises
``UnsupportedCpuError`` when it does not.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

#: The ABI major this binding was written for (``ZIPP_ABI_VERSION_MAJOR`` in zipp.h).
ABI_VERSION_MAJOR = 1

#: The oldest ABI minor that has every function declared below (``ZIPP_ABI_VERSION_MINOR``).
ABI_VERSION_MINOR = 2

#: Environment variable that names the library file to load.
LIBRARY_ENV = "ZIPP_LIBRARY"


class LibraryLoadError(ImportError):
    """libzipp could not be found or loaded, or its ABI major differs from this binding's."""


class _ZippClip(ctypes.Structure):
    """Opaque ``ZippClip``."""


class _ZippMineJob(ctypes.Structure):
    """Opaque ``ZippMineJob``."""


class _ZippPersona(ctypes.Structure):
    """Opaque ``ZippPersona``."""


class _ZippRewriter(ctypes.Structure):
    """Opaque ``ZippRewriter``."""


ClipPtr = ctypes.POINTER(_ZippClip)
MineJobPtr = ctypes.POINTER(_ZippMineJob)
PersonaPtr = ctypes.POINTER(_ZippPersona)
RewriterPtr = ctypes.POINTER(_ZippRewriter)

#: ``typedef void (*ZippLogCallback)(int32_t level, const char *target, const char *message,
#: void *user_data);`` The two strings are copied to ``bytes`` before the Python code runs.
LogCallback = ctypes.CFUNCTYPE(None, ctypes.c_int32, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p)

#: ``typedef bool (*ZippTokenCallback)(const char *piece, void *user_data);`` The piece is
#: copied to ``bytes`` before the Python code runs; returning false cancels the rewrite.
TokenCallback = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_char_p, ctypes.c_void_p)


def library_file_name() -> str:
    """The file name of the shared library on this platform."""
    if sys.platform == "win32":
        return "zipp.dll"
    if sys.platform == "darwin":
        return "libzipp.dylib"
    return "libzipp.so"


def candidate_paths() -> list[str]:
    """Where the library is looked for, in order (the environment override excluded)."""
    name = library_file_name()
    here = Path(__file__).resolve().parent
    candidates = [str(here / name), name]
    found = ctypes.util.find_library("zipp")
    if found:
        candidates.append(found)
    repo = here.parent.parent.parent
    if (repo / "Cargo.toml").is_file():
        candidates += [str(repo / "target" / "release" / name), str(repo / "target" / "debug" / name)]
    return candidates


def _open(candidates: Sequence[str]) -> tuple[ctypes.CDLL, str]:
    errors: list[str] = []
    for candidate in candidates:
        if os.sep in candidate and not os.path.exists(candidate):
            errors.append(f"{candidate}: no such file")
            continue
        try:
            return ctypes.CDLL(candidate), candidate
        except OSError as error:
            errors.append(f"{candidate}: {error}")
    raise LibraryLoadError("libzipp was not found; tried:\n  " + "\n  ".join(errors) +
                           f"\nSet {LIBRARY_ENV} to the path of {library_file_name()}.")


def _declare(lib: ctypes.CDLL, name: str, restype: Any, argtypes: Sequence[Any]) -> None:
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)


def _declare_all(lib: ctypes.CDLL) -> None:
    c_char_pp = ctypes.POINTER(ctypes.c_void_p)  # char **: read as void* so it can be freed
    status = ctypes.c_int32
    c_float_p = ctypes.POINTER(ctypes.c_float)  # float *: a (c_float * n) array is passed as it is
    c_size_p = ctypes.POINTER(ctypes.c_size_t)
    c_double_p = ctypes.POINTER(ctypes.c_double)

    # ZippStatus zipp_clip_load(const char *folder, struct ZippClip **out);
    _declare(lib, "zipp_clip_load", status, [ctypes.c_char_p, ctypes.POINTER(ClipPtr)])
    # size_t zipp_clip_dim(const struct ZippClip *clip);
    _declare(lib, "zipp_clip_dim", ctypes.c_size_t, [ClipPtr])
    # ZippStatus zipp_clip_embed_text(const struct ZippClip *clip, const char *text, float *out,
    #     size_t capacity, size_t *out_len);
    _declare(lib, "zipp_clip_embed_text", status,
             [ClipPtr, ctypes.c_char_p, c_float_p, ctypes.c_size_t, c_size_p])
    # ZippStatus zipp_clip_embed_image_file(const struct ZippClip *clip, const char *path, float *out,
    #     size_t capacity, size_t *out_len);
    _declare(lib, "zipp_clip_embed_image_file", status,
             [ClipPtr, ctypes.c_char_p, c_float_p, ctypes.c_size_t, c_size_p])
    # ZippStatus zipp_clip_embed_image_rgb8(const struct ZippClip *clip, const uint8_t *pixels,
    #     uint32_t width, uint32_t height, size_t stride, float *out, size_t capacity, size_t *out_len);
    # (pixels: a (c_uint8 * n).from_buffer of the caller's buffer, or a copy of read-only bytes)
    _declare(lib, "zipp_clip_embed_image_rgb8", status,
             [ClipPtr, ctypes.POINTER(ctypes.c_uint8), ctypes.c_uint32, ctypes.c_uint32, ctypes.c_size_t,
              c_float_p, ctypes.c_size_t, c_size_p])
    # ZippStatus zipp_clip_score_text(const struct ZippClip *clip, const char *image_path,
    #     const char *text, double *out_clip_score, double *out_cosine);
    _declare(lib, "zipp_clip_score_text", status,
             [ClipPtr, ctypes.c_char_p, ctypes.c_char_p, c_double_p, c_double_p])
    # ZippStatus zipp_clip_score_images(const struct ZippClip *clip, const char *image_path,
    #     const char *const *reference_paths, size_t count, double *out_max, double *out_mean);
    # (reference_paths: a (c_char_p * count) array)
    _declare(lib, "zipp_clip_score_images", status,
             [ClipPtr, ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t, c_double_p,
              c_double_p])
    # void zipp_clip_free(struct ZippClip *clip);
    _declare(lib, "zipp_clip_free", None, [ClipPtr])
    # ZippStatus zipp_log_set(ZippLogCallback callback, void *user_data, int32_t max_level);
    _declare(lib, "zipp_log_set", status, [LogCallback, ctypes.c_void_p, ctypes.c_int32])
    # ZippStatus zipp_mine_start(const char *config_json, struct ZippMineJob **out_job);
    _declare(lib, "zipp_mine_start", status, [ctypes.c_char_p, ctypes.POINTER(MineJobPtr)])
    # ZippStatus zipp_job_poll(const struct ZippMineJob *job_, char **out_status_json);
    _declare(lib, "zipp_job_poll", status, [MineJobPtr, c_char_pp])
    # void zipp_job_cancel(const struct ZippMineJob *job_);
    _declare(lib, "zipp_job_cancel", None, [MineJobPtr])
    # ZippStatus zipp_job_wait(const struct ZippMineJob *job_, int64_t timeout_ms, bool *out_finished);
    # (blocks: ctypes releases the GIL for the call)
    _declare(lib, "zipp_job_wait", status, [MineJobPtr, ctypes.c_int64, ctypes.POINTER(ctypes.c_bool)])
    # ZippStatus zipp_job_result(const struct ZippMineJob *job_, char **out_result_json);
    _declare(lib, "zipp_job_result", status, [MineJobPtr, c_char_pp])
    # void zipp_job_free(struct ZippMineJob *job);  (cancels the job and joins its thread)
    _declare(lib, "zipp_job_free", None, [MineJobPtr])
    # ZippStatus zipp_default_model_path(char **out_path);
    _declare(lib, "zipp_default_model_path", status, [c_char_pp])
    # ZippStatus zipp_models_unload(const char *path, uint32_t *out_count);
    _declare(lib, "zipp_models_unload", status, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint32)])
    # ZippStatus zipp_models_unload_all(uint32_t *out_count);
    _declare(lib, "zipp_models_unload_all", status, [ctypes.POINTER(ctypes.c_uint32)])
    # ZippStatus zipp_persona_from_file(const char *path, struct ZippPersona **out);
    _declare(lib, "zipp_persona_from_file", status, [ctypes.c_char_p, ctypes.POINTER(PersonaPtr)])
    # ZippStatus zipp_persona_from_json(const char *json, struct ZippPersona **out);
    _declare(lib, "zipp_persona_from_json", status, [ctypes.c_char_p, ctypes.POINTER(PersonaPtr)])
    # ZippStatus zipp_persona_from_text(const char *text, struct ZippPersona **out);
    _declare(lib, "zipp_persona_from_text", status, [ctypes.c_char_p, ctypes.POINTER(PersonaPtr)])
    # ZippStatus zipp_persona_from_survey(const char *survey_json, struct ZippPersona **out);
    _declare(lib, "zipp_persona_from_survey", status, [ctypes.c_char_p, ctypes.POINTER(PersonaPtr)])
    # ZippStatus zipp_persona_to_json(const struct ZippPersona *persona, char **out_json);
    _declare(lib, "zipp_persona_to_json", status, [PersonaPtr, c_char_pp])
    # ZippStatus zipp_persona_hash(const struct ZippPersona *persona, char **out_hex);
    _declare(lib, "zipp_persona_hash", status, [PersonaPtr, c_char_pp])
    # void zipp_persona_free(struct ZippPersona *persona);
    _declare(lib, "zipp_persona_free", None, [PersonaPtr])
    # ZippStatus zipp_rewriter_new(const char *config_json, struct ZippRewriter **out);
    _declare(lib, "zipp_rewriter_new", status, [ctypes.c_char_p, ctypes.POINTER(RewriterPtr)])
    # ZippStatus zipp_rewriter_rewrite(const struct ZippRewriter *rewriter,
    #     const struct ZippPersona *persona, const char *prompt, const char *options_json,
    #     char **out_rewrite, char **out_result_json);
    _declare(lib, "zipp_rewriter_rewrite", status,
             [RewriterPtr, PersonaPtr, ctypes.c_char_p, ctypes.c_char_p, c_char_pp, c_char_pp])
    # ZippStatus zipp_rewriter_rewrite_stream(const struct ZippRewriter *rewriter,
    #     const struct ZippPersona *persona, const char *prompt, const char *options_json,
    #     ZippTokenCallback on_token, void *user_data, char **out_rewrite, char **out_result_json);
    _declare(lib, "zipp_rewriter_rewrite_stream", status,
             [RewriterPtr, PersonaPtr, ctypes.c_char_p, ctypes.c_char_p, TokenCallback, ctypes.c_void_p,
              c_char_pp, c_char_pp])
    # ZippStatus zipp_rewriter_cancel(const struct ZippRewriter *rewriter);
    _declare(lib, "zipp_rewriter_cancel", status, [RewriterPtr])
    # ZippStatus zipp_rewriter_clear_cache(const struct ZippRewriter *rewriter);
    _declare(lib, "zipp_rewriter_clear_cache", status, [RewriterPtr])
    # void zipp_rewriter_free(struct ZippRewriter *rewriter);
    _declare(lib, "zipp_rewriter_free", None, [RewriterPtr])
    # const char *zipp_last_error(void);  (thread-local storage: never freed)
    _declare(lib, "zipp_last_error", ctypes.c_char_p, [])
    # const char *zipp_status_name(int32_t status);  (static storage)
    _declare(lib, "zipp_status_name", ctypes.c_char_p, [ctypes.c_int32])
    # const char *zipp_status_describe(int32_t status);  (static storage)
    _declare(lib, "zipp_status_describe", ctypes.c_char_p, [ctypes.c_int32])
    # void zipp_string_free(char *s);
    _declare(lib, "zipp_string_free", None, [ctypes.c_void_p])
    # const char *zipp_version(void);  (static storage)
    _declare(lib, "zipp_version", ctypes.c_char_p, [])
    # uint32_t zipp_abi_version(void);
    _declare(lib, "zipp_abi_version", ctypes.c_uint32, [])


_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_path: Optional[str] = None


def load() -> ctypes.CDLL:
    """Loads libzipp once (thread-safe) after checking that this CPU can run it (``cpu.require``),
    checks the ABI version and declares the prototypes."""
    global _lib, _path
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        from . import cpu  # imports LibraryLoadError from here, so not at the top

        cpu.require(cpu.build_level())
        override = os.environ.get(LIBRARY_ENV)
        lib, path = _open([override] if override else candidate_paths())
        _declare(lib, "zipp_abi_version", ctypes.c_uint32, [])
        abi = int(lib.zipp_abi_version())
        if abi >> 16 != ABI_VERSION_MAJOR:
            raise LibraryLoadError(f"{path} has C ABI {abi >> 16}.{abi & 0xFFFF}; this binding needs "
                                   f"ABI major {ABI_VERSION_MAJOR}")
        if abi & 0xFFFF < ABI_VERSION_MINOR:
            raise LibraryLoadError(f"{path} has C ABI {abi >> 16}.{abi & 0xFFFF}; this binding needs "
                                   f"ABI {ABI_VERSION_MAJOR}.{ABI_VERSION_MINOR} or newer")
        _declare_all(lib)
        _lib, _path = lib, path
        return lib


def loaded_path() -> str:
    """The path (or name) the library was loaded from, loading it if needed."""
    load()
    assert _path is not None
    return _path


def encode(text: Optional[str]) -> Optional[bytes]:
    """UTF-8 bytes for a C string argument; None stays None (a NULL pointer).

    Lone surrogates from ``surrogateescape`` decoding become their original bytes, so the
    library sees (and reports) the invalid UTF-8 itself.
    """
    if text is None:
        return None
    data = text.encode("utf-8", "surrogateescape")
    if b"\0" in data:
        raise ValueError("libzipp strings cannot contain NUL characters")
    return data


def take_string(lib: ctypes.CDLL, pointer: ctypes.c_void_p) -> str:
    """Reads a string the library returned through an out-pointer and frees it."""
    if not pointer.value:
        return ""
    try:
        return ctypes.string_at(pointer.value).decode("utf-8")
    finally:
        lib.zipp_string_free(pointer)


def static_string(function: Callable[..., Optional[bytes]], *args: Any) -> str:
    """Decodes a string in the library's static or thread-local storage (never freed)."""
    value = function(*args)
    return value.decode("utf-8", "replace") if value else ""
