"""The CPU check made before the library is loaded: the x86-64 level libzipp was built for
against the features of this CPU, so that an older CPU gets an exception instead of an illegal
instruction inside the host process.

The level comes from the wheel's build record (``native-build.json`` beside this module, written
by setup.py); without one (a source checkout) it is ``x86-64-v3``, which the repository's
``.cargo/config.toml`` builds for. The CPU's features are the ``flags`` of ``/proc/cpuinfo`` on
Linux; ``ZIPP_CPU_FLAGS`` (names separated by spaces or commas) stands in for them, to simulate
another CPU. Where neither is available (macOS, Windows) nothing is checked.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Dict, Optional, Tuple

from ._native import LibraryLoadError

#: Environment variable whose flags replace those of /proc/cpuinfo (to simulate another CPU).
CPU_FLAGS_ENV = "ZIPP_CPU_FLAGS"

#: The level assumed without a build record: the one ``.cargo/config.toml`` sets.
DEFAULT_LEVEL = "x86-64-v3"

#: The build record's file name, in the package folder.
BUILD_RECORD = "native-build.json"

_V2 = ("cx16", "lahf_lm", "pni", "popcnt", "sse4_1", "sse4_2", "ssse3")
_V3 = _V2 + ("abm", "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "movbe", "xsave")
_V4 = _V3 + ("avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl")

#: The /proc/cpuinfo flags each x86-64 micro-architecture level needs beyond the baseline
#: (``pni`` is SSE3, ``abm`` LZCNT, ``lahf_lm`` LAHF/SAHF in 64-bit mode).
LEVEL_FLAGS: Dict[str, Tuple[str, ...]] = {"x86-64": (), "x86-64-v2": _V2, "x86-64-v3": _V3, "x86-64-v4": _V4}

#: The usual name of each flag whose /proc/cpuinfo name differs, for messages.
_COMMON_NAMES = {"pni": "sse3", "abm": "lzcnt", "lahf_lm": "lahf-sahf"}


class UnsupportedCpuError(LibraryLoadError):
    """This CPU lacks features the library was built for, so it was not loaded.

    Attributes:
        level: the x86-64 level the library was built for, e.g. ``"x86-64-v3"``.
        missing: the features this CPU lacks, e.g. ``("avx2", "fma")``.
    """

    def __init__(self, message: str, level: str, missing: Tuple[str, ...]) -> None:
        super().__init__(message)
        self.level = level
        self.missing = missing


def build_level(package: Path = Path(__file__).resolve().parent) -> Optional[str]:
    """The level the package's library was built for: the build record's ``cpu_level`` (None:
    not an x86-64 build), or DEFAULT_LEVEL on x86-64 without a record, else None."""
    record = package / BUILD_RECORD
    if record.is_file():
        try:
            level = json.loads(record.read_text(encoding="utf-8"))["cpu_level"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise LibraryLoadError(f"{record} is not a build record with a cpu_level: {error}") from error
        return str(level) if level is not None else None
    if platform.machine().lower() in ("x86_64", "amd64"):
        return DEFAULT_LEVEL
    return None


def cpu_flags() -> Tuple[Optional[frozenset], str]:
    """This CPU's feature flags and where they came from; None when they cannot be read."""
    given = os.environ.get(CPU_FLAGS_ENV)
    if given is not None:
        return frozenset(given.replace(",", " ").split()), CPU_FLAGS_ENV
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                key, _, value = line.partition(":")
                if key.strip() == "flags":
                    return frozenset(value.split()), "/proc/cpuinfo"
    except OSError:
        pass
    return None, "nowhere"


def best_level(flags: frozenset) -> str:
    """The highest level whose flags are all in ``flags``."""
    return [level for level, needed in LEVEL_FLAGS.items() if set(needed) <= flags][-1]


def common_name(flag: str) -> str:
    """A flag's usual name (``lzcnt`` for ``abm``), for messages."""
    return _COMMON_NAMES.get(flag, flag)


def require(level: Optional[str]) -> None:
    """Raises UnsupportedCpuError when this CPU cannot run a library built for ``level``;
    nothing is checked when the level (None: not an x86-64 build) or the CPU's flags are unknown."""
    if level is None:
        return
    if level not in LEVEL_FLAGS:
        raise UnsupportedCpuError(f"the library is built for {level!r}, a CPU level this binding does not "
                                  f"know (known: {', '.join(LEVEL_FLAGS)})", level, ())
    flags, source = cpu_flags()
    if flags is None:
        return
    missing = tuple(common_name(flag) for flag in LEVEL_FLAGS[level] if flag not in flags)
    if missing:
        runs = best_level(flags)
        raise UnsupportedCpuError(
            f"libzipp cannot run on this CPU: it lacks {', '.join(missing)} (flags from {source}), which the "
            f"library needs, being built for {level}; loading it would stop the process with an illegal "
            f"instruction. This CPU runs {runs}: build a wheel for it with "
            f"`scripts/build_wheel.sh --cpu {runs}` in the libzipp repository", level, missing)
