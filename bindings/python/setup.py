"""Build steps of the libzipp wheel: put the shared library (and the example personas) into the
package, and tag the wheel for the platform, since it carries native code.

The library comes from ``ZIPP_PREBUILT_LIBRARY`` (the path of a built libzipp) when that is set,
otherwise from ``cargo build --release`` run in the repository root.
"""

from __future__ import annotations

import os
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


class BuildPyWithLibrary(build_py):
    """build_py that also copies the library and the example personas into the package."""

    def run(self) -> None:
        super().run()
        package = Path(self.build_lib) / "libzipp"
        package.mkdir(parents=True, exist_ok=True)
        library = built_library()
        shutil.copy2(library, package / library_file_name())
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
    """A wheel tagged ``py3-none-<platform>``: any Python 3, loaded with ctypes, one platform."""

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel})
