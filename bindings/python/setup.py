"""Build steps of the libzipp wheel: put the shared library (and the example personas) into the
package with a build record, and tag the wheel for the platform, since it carries native code.

- ``ZIPP_PREBUILT_LIBRARY``: the path of a built libzipp to package; without it
  ``cargo build --release`` runs in the repository root.
- ``ZIPP_WHEEL_PLATFORM``: the wheel's platform tag, e.g. ``manylinux_2_28_x86_64`` (the
  library must need no newer glibc: scripts/build_wheel.sh builds it so and checks it); without
  it the building machine's tag, e.g. ``linux_x86_64``, which package indexes refuse.
- ``ZIPP_WHEEL_CPU_LEVEL``: the x86-64 level the library is built for (``x86-64``,
  ``x86-64-v2``, ``x86-64-v3``, ``x86-64-v4``), written to ``libzipp/native-build.json`` for
  the binding's CPU check; without it ``x86-64-v3`` (``.cargo/config.toml``) on x86-64, none
  elsewhere.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools older than 70.1
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PREBUILT_ENV = "ZIPP_PREBUILT_LIBRARY"
PLATFORM_ENV = "ZIPP_WHEEL_PLATFORM"
CPU_LEVEL_ENV = "ZIPP_WHEEL_CPU_LEVEL"
CPU_LEVELS = ("x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4")


def library_file_name() -> str:
    """The shared library's file name on this platform."""
    if sys.platform == "win32":
        return "zipp.dll"
    if sys.platform == "darwin":
        return "libzipp.dylib"
    return "libzipp.so"


def built_library() -> Path:
    """The library to package: the prebuilt one, or a fresh release build of the crate."""
    prebuilt = os.environ.get(PREBUILT_ENV)
    if prebuilt:
        given = Path(prebuilt).expanduser()
        # pip runs this from bindings/python: a relative path may also mean the repository root.
        for path in (given, REPO / given):
            if path.is_file():
                return path.resolve()
        raise SystemExit(f"{PREBUILT_ENV}={prebuilt} is not a file")
    if not (REPO / "Cargo.toml").is_file():
        raise SystemExit(f"no Cargo.toml at {REPO}: set {PREBUILT_ENV} to a built {library_file_name()}")
    subprocess.run(["cargo", "build", "--release", "--locked"], cwd=REPO, check=True)
    return REPO / "target" / "release" / library_file_name()


def cpu_level() -> str | None:
    """The x86-64 level the packaged library is built for (None: not an x86-64 build)."""
    given = os.environ.get(CPU_LEVEL_ENV)
    if given:
        if given not in CPU_LEVELS:
            raise SystemExit(f"{CPU_LEVEL_ENV}={given} is not one of {', '.join(CPU_LEVELS)}")
        return given
    tag = os.environ.get(PLATFORM_ENV, "")
    x86_64 = tag.endswith("x86_64") if tag else platform.machine().lower() in ("x86_64", "amd64")
    return "x86-64-v3" if x86_64 else None


def platform_tag() -> str | None:
    """The platform tag from ZIPP_WHEEL_PLATFORM, checked for shape (None when unset)."""
    given = os.environ.get(PLATFORM_ENV)
    if given and not re.fullmatch(r"[a-z0-9_]+", given):
        raise SystemExit(f"{PLATFORM_ENV}={given} is not a platform tag such as manylinux_2_28_x86_64")
    return given or None


class BuildPyWithLibrary(build_py):
    """build_py that also copies the library, its build record and the example personas into
    the package."""

    def run(self) -> None:
        super().run()
        package = Path(self.build_lib) / "libzipp"
        package.mkdir(parents=True, exist_ok=True)
        library = built_library()
        shutil.copy2(library, package / library_file_name())
        record = {"cpu_level": cpu_level()}
        (package / "native-build.json").write_text(json.dumps(record) + "\n", encoding="utf-8")
        examples = REPO / "examples" / "personas"
        if examples.is_dir():
            target = package / "personas"
            target.mkdir(exist_ok=True)
            for path in sorted(examples.iterdir()):
                if path.suffix in (".json", ".txt") and not path.name.endswith(".schema.json"):
                    shutil.copy2(path, target / path.name)


class BinaryDistribution(Distribution):
    """A distribution with native code, so it installs to platlib and its wheel is not pure."""

    def has_ext_modules(self) -> bool:
        return True


class PlatformWheel(bdist_wheel):
    """A wheel tagged ``py3-none-<platform>``: any Python 3, loaded with ctypes, one platform
    (ZIPP_WHEEL_PLATFORM's, else this machine's)."""

    def get_tag(self) -> tuple[str, str, str]:
        _, _, machine = super().get_tag()
        return "py3", "none", platform_tag() or machine


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel})
