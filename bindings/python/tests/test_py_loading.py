"""Finding and checking the library: ZIPP_LIBRARY, the checkout's target folder, the ABI major."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
REPO = PACKAGE_ROOT.parents[1]


def _python(code: str, env_changes: dict[str, str | None], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in env_changes}
    env.update({k: v for k, v in env_changes.items() if v is not None})
    env["PYTHONPATH"] = str(PACKAGE_ROOT)
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True,
                          check=False)


def test_checkout_target_folder_is_found_without_override(tmp_path: Path) -> None:
    # A checkout of its own: the package beside a target/debug holding the real library.
    checkout = tmp_path / "checkout"
    shutil.copytree(PACKAGE_ROOT / "libzipp", checkout / "bindings" / "python" / "libzipp",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.dylib", "*.dll", "personas"))
    built = Path(os.environ["ZIPP_LIBRARY"])
    (checkout / "target" / "debug").mkdir(parents=True)
    (checkout / "Cargo.toml").write_text("[package]\nname = \"zipp\"\n", encoding="utf-8")
    shutil.copy2(built, checkout / "target" / "debug" / built.name)
    env = {k: v for k, v in os.environ.items() if k != "ZIPP_LIBRARY"}
    env["PYTHONPATH"] = str(checkout / "bindings" / "python")
    done = subprocess.run([sys.executable, "-c", "import libzipp; print(libzipp.library_path()); print(libzipp.version())"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    path, version = done.stdout.split()
    assert Path(path) == checkout / "target" / "debug" / built.name and version == "0.1.0"


def test_missing_override_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "libzipp.so"
    done = _python("import libzipp; libzipp.version()", {"ZIPP_LIBRARY": str(missing)}, tmp_path)
    assert done.returncode == 1
    assert "LibraryLoadError" in done.stderr and str(missing) in done.stderr and "ZIPP_LIBRARY" in done.stderr


def _fake_library(tmp_path: Path, abi: str) -> Path:
    """A library whose zipp_abi_version() returns ``abi`` (a C expression), and nothing else."""
    if shutil.which("cc") is None or sys.platform == "win32":
        pytest.skip("needs a C compiler")
    source = tmp_path / "abi.c"
    source.write_text(f"#include <stdint.h>\nuint32_t zipp_abi_version(void) {{ return {abi}; }}\n",
                      encoding="utf-8")
    # Kept out of the working directory: a file named libzipp.so beside the script would be
    # taken for a Python extension module called libzipp.
    (tmp_path / "lib").mkdir()
    library = tmp_path / "lib" / "libzipp.so"
    subprocess.run(["cc", "-shared", "-fPIC", str(source), "-o", str(library)], check=True)
    return library


def test_library_with_another_abi_major_is_refused(tmp_path: Path) -> None:
    library = _fake_library(tmp_path, "2u << 16")
    done = _python("import libzipp; libzipp.version()", {"ZIPP_LIBRARY": str(library)}, tmp_path)
    assert done.returncode == 1
    assert "C ABI 2.0" in done.stderr and "ABI major 1" in done.stderr


def test_library_older_than_the_binding_is_refused(tmp_path: Path) -> None:
    library = _fake_library(tmp_path, "(1u << 16) | 1")
    done = _python("import libzipp; libzipp.version()", {"ZIPP_LIBRARY": str(library)}, tmp_path)
    assert done.returncode == 1
    assert "C ABI 1.1" in done.stderr and "ABI 1.2 or newer" in done.stderr


def test_import_does_not_load_the_library(tmp_path: Path) -> None:
    done = _python("import libzipp; print(libzipp.__version__)", {"ZIPP_LIBRARY": str(tmp_path / "none.so")}, tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "0.1.0"
