"""The ctypes declarations in _native.py match every prototype of include/zipp.h."""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import libzipp
from libzipp import _native

HEADER = Path(__file__).resolve().parents[3] / "include" / "zipp.h"

#: The ctypes type _native.py gives each C type of the header.
C_TYPES = {
    "ZippStatus": ctypes.c_int32,
    "void": None,
    "const char *": ctypes.c_char_p,
    "char **": ctypes.POINTER(ctypes.c_void_p),
    "void *": ctypes.c_void_p,
    "char *": ctypes.c_void_p,
    "int32_t": ctypes.c_int32,
    "int64_t": ctypes.c_int64,
    "bool *": ctypes.POINTER(ctypes.c_bool),
    "uint32_t": ctypes.c_uint32,
    "uint32_t *": ctypes.POINTER(ctypes.c_uint32),
    "size_t": ctypes.c_size_t,
    "size_t *": ctypes.POINTER(ctypes.c_size_t),
    "float *": ctypes.POINTER(ctypes.c_float),
    "double *": ctypes.POINTER(ctypes.c_double),
    "const uint8_t *": ctypes.POINTER(ctypes.c_uint8),
    "const char * const *": ctypes.POINTER(ctypes.c_char_p),
    "ZippLogCallback": _native.LogCallback,
    "ZippTokenCallback": _native.TokenCallback,
    "const struct ZippClip *": _native.ClipPtr,
    "struct ZippClip *": _native.ClipPtr,
    "struct ZippClip **": ctypes.POINTER(_native.ClipPtr),
    "const struct ZippMineJob *": _native.MineJobPtr,
    "struct ZippMineJob *": _native.MineJobPtr,
    "struct ZippMineJob **": ctypes.POINTER(_native.MineJobPtr),
    "const struct ZippPersona *": _native.PersonaPtr,
    "struct ZippPersona *": _native.PersonaPtr,
    "struct ZippPersona **": ctypes.POINTER(_native.PersonaPtr),
    "const struct ZippRewriter *": _native.RewriterPtr,
    "struct ZippRewriter *": _native.RewriterPtr,
    "struct ZippRewriter **": ctypes.POINTER(_native.RewriterPtr),
}


def _c_type(declaration: str, named: bool) -> str:
    """The type of a declaration, spaced as ``const char *``; ``named`` drops the parameter name."""
    words = declaration.replace("*", " * ").split()
    if named:
        words = words[:-1]
    return " ".join(words).replace("* *", "**")


def _prototypes() -> dict[str, tuple[str, list[str]]]:
    """{function: (return type, [parameter types])} for every function of the header."""
    text = re.sub(r"//[^\n]*|/\*.*?\*/", "", HEADER.read_text(encoding="utf-8"), flags=re.S)
    found = {}
    for returns, name, params in re.findall(r"^([A-Za-z][\w ]*?\**)\s*(zipp_\w+)\(([^)]*)\);", text, flags=re.M):
        kinds = [] if params.strip() == "void" else [_c_type(p, named=True) for p in params.split(",")]
        found[name] = (_c_type(returns, named=False), kinds)
    return found


def test_header_is_parsed() -> None:
    prototypes = _prototypes()
    assert {"zipp_rewriter_new", "zipp_rewriter_cancel", "zipp_default_model_path", "zipp_models_unload",
            "zipp_models_unload_all", "zipp_string_free"} <= set(prototypes)
    assert prototypes["zipp_rewriter_rewrite_stream"] == (
        "ZippStatus", ["const struct ZippRewriter *", "const struct ZippPersona *", "const char *",
                       "const char *", "ZippTokenCallback", "void *", "char **", "char **"])
    assert prototypes["zipp_last_error"] == ("const char *", [])
    assert prototypes["zipp_job_wait"] == ("ZippStatus", ["const struct ZippMineJob *", "int64_t", "bool *"])
    assert prototypes["zipp_job_free"] == ("void", ["struct ZippMineJob *"])


def test_every_prototype_is_declared_with_matching_types() -> None:
    lib = _native.load()
    for name, (returns, params) in _prototypes().items():
        function = getattr(lib, name)
        assert function.restype is C_TYPES[returns], name
        assert function.argtypes == [C_TYPES[p] for p in params], name


def test_abi_version_matches_the_header() -> None:
    text = HEADER.read_text(encoding="utf-8")
    major = int(re.search(r"#define ZIPP_ABI_VERSION_MAJOR (\d+)", text).group(1))  # type: ignore[union-attr]
    minor = int(re.search(r"#define ZIPP_ABI_VERSION_MINOR (\d+)", text).group(1))  # type: ignore[union-attr]
    assert (libzipp.ABI_VERSION_MAJOR, libzipp.ABI_VERSION_MINOR) == (major, minor)
    assert libzipp.abi_version() == (major << 16) | minor
