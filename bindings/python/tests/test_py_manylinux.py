"""The manylinux wheel of scripts/build_wheel.sh, named by ZIPP_WHEEL (see built_wheel): tagged
py3-none-manylinux_2_28_x86_64, consistent with that policy or an older one for ``auditwheel
show``, its library needing glibc 2.28 at most; installed into a fresh virtual environment with no
Rust toolchain on PATH, it imports, rewrites with rules and with the default model, and refuses a
simulated old CPU (ZIPP_CPU_FLAGS) with UnsupportedCpuError instead of crashing.

Needs Linux x86-64, auditwheel (pip install auditwheel) and objdump (binutils). Without the wheel
or the tools the tests print SKIPPED and pass, except on CI (CI=true) or with
ZIPP_REQUIRE_WHEEL=1, where they fail; the default model's test fails instead of skipping with
ZIPP_REQUIRE_MODELS=1.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import libzipp
from built_wheel import manylinux_wheel, missing, no_rust_path
from real_model import default_model

PLATFORM = "manylinux_2_28_x86_64"
GLIBC_MAX = (2, 28)
OLD_CPU = "sse2 sse4_2"


def what_is_missing() -> str | None:
    """The first thing the checks need that this machine lacks."""
    if sys.platform != "linux" or platform.machine() != "x86_64":
        return f"the manylinux wheel runs on Linux x86-64, not {sys.platform} {platform.machine()}"
    needs = {"auditwheel (pip install auditwheel)": importlib.util.find_spec("auditwheel"),
             "objdump (binutils)": shutil.which("objdump")}
    absent = [name for name, found in needs.items() if not found]
    return f"{', '.join(absent)} not found" if absent else None



@pytest.fixture(scope="module")
def wheel() -> Path:
    """The wheel ZIPP_WHEEL names, with the tools to check it."""
    path = manylinux_wheel()
    absent = what_is_missing()
    if absent:
        missing(absent)
    return path


@pytest.fixture(scope="module")
def venv_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel installed, offline."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-index",
                    "--no-deps", str(wheel)], env=dict(os.environ, PATH=no_rust_path()), check=True)
    return python


def run_in_venv(python: Path, code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` in the venv without the Rust toolchain, the checkout's library or binding."""
    clean = {k: v for k, v in os.environ.items() if k not in ("ZIPP_LIBRARY", "PYTHONPATH", "ZIPP_CPU_FLAGS")}
    clean.update(env, PATH=no_rust_path())
    return subprocess.run([str(python), "-c", code], env=clean, cwd=cwd, capture_output=True, text=True,
                          check=False)


def test_the_wheel_is_tagged_manylinux_2_28_and_records_its_cpu_level(wheel: Path) -> None:
    version = libzipp.__version__
    assert wheel.name == f"libzipp-{version}-py3-none-{PLATFORM}.whl"
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"libzipp-{version}.dist-info/WHEEL").decode()
        record = json.loads(archive.read("libzipp/native-build.json"))
        names = set(archive.namelist())
    assert f"Tag: py3-none-{PLATFORM}" in metadata and "Root-Is-Purelib: false" in metadata
    assert record == {"cpu_level": "x86-64-v3"}
    assert {"libzipp/libzipp.so", "libzipp/cpu.py", "libzipp/personas/kenji-osaka.json"} <= names


def test_auditwheel_finds_it_consistent_with_manylinux_2_28_or_older(wheel: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "auditwheel", "show", str(wheel)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    report = " ".join(done.stdout.split())
    found = re.search(r'consistent with the following platform tag: "manylinux_2_(\d+)_x86_64"', report)
    assert found, report
    assert int(found.group(1)) <= GLIBC_MAX[1], report


def test_the_library_needs_glibc_2_28_at_most(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        library = Path(archive.extract("libzipp/libzipp.so", tmp_path))
    symbols = subprocess.run(["objdump", "-T", str(library)], capture_output=True, text=True, check=True).stdout
    versions = {tuple(int(part) for part in v.split(".")) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", symbols)}
    assert versions, symbols[:2000]
    assert max(versions)[:2] <= GLIBC_MAX, sorted(versions)[-3:]
    assert (2, 28) in versions or max(versions) < (2, 28)  # what zig links against, or older


def test_it_imports_and_rewrites_in_a_clean_venv_without_rust(venv_python: Path, tmp_path: Path) -> None:
    code = (
        "import json, pathlib, shutil, libzipp\n"
        "assert shutil.which('cargo') is None and shutil.which('rustc') is None\n"
        "path = pathlib.Path(libzipp.library_path())\n"
        "folder = libzipp.example_personas_dir()\n"
        "with libzipp.Persona.from_file(folder / 'kenji-osaka.json') as p, "
        "libzipp.Rewriter({'backend': 'rules'}) as r:\n"
        "    result = r.rewrite(p, 'a cat on a windowsill', {'seed': 1})\n"
        "print(json.dumps({'library': str(path), 'package': str(pathlib.Path(libzipp.__file__).parent),\n"
        "                  'backend': result.backend, 'rewrite': result.rewrite}))\n"
    )
    done = run_in_venv(venv_python, code, tmp_path)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert Path(seen["library"]).parent == Path(seen["package"])
    assert Path(seen["package"]).is_relative_to(venv_python.parent.parent)
    assert seen["backend"] == "rules"
    assert seen["rewrite"].startswith("a cat on a windowsill") and seen["rewrite"] != "a cat on a windowsill"


def test_it_rewrites_with_the_default_model_in_the_venv(venv_python: Path, tmp_path: Path) -> None:
    model = default_model()
    code = (
        "import sys, libzipp\n"
        "config = {'backend': 'gguf', 'model_path': sys.argv[1], 'threads': 2, 'context_length': 2048}\n"
        "with libzipp.Rewriter(config) as r, libzipp.Persona.from_text("
        "'I am a retired railway engineer in Osaka; I like muted film colours.') as p:\n"
        "    result = r.rewrite(p, 'a cat on a windowsill', {'seed': 1, 'max_new_tokens': 32})\n"
        "assert result.backend == 'gguf' and result.error is None, (result.backend, result.error)\n"
        "print(result.rewrite)\n"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("ZIPP_LIBRARY", "PYTHONPATH", "ZIPP_CPU_FLAGS")}
    done = subprocess.run([str(venv_python), "-c", code, str(model)], cwd=tmp_path, capture_output=True, text=True,
                          check=False, env=dict(clean, PATH=no_rust_path(), RAYON_NUM_THREADS="2"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_a_simulated_old_cpu_gets_an_exception_not_a_crash(venv_python: Path, tmp_path: Path) -> None:
    code = (
        "import libzipp\n"
        "try:\n"
        "    libzipp.Rewriter({'backend': 'rules'})\n"
        "except libzipp.UnsupportedCpuError as error:\n"
        "    print(error.level, ' '.join(error.missing))\n"
        "    print(error)\n"
    )
    done = run_in_venv(venv_python, code, tmp_path, ZIPP_CPU_FLAGS=OLD_CPU)
    assert done.returncode == 0, done.stderr
    first, message = done.stdout.split("\n", 1)
    level, *missing_features = first.split()
    assert level == "x86-64-v3"
    assert {"avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "lzcnt", "movbe"} <= set(missing_features)
    assert "illegal instruction" in message and "scripts/build_wheel.sh --cpu" in message
    uncaught = run_in_venv(venv_python, "import libzipp; libzipp.version()", tmp_path, ZIPP_CPU_FLAGS=OLD_CPU)
    assert uncaught.returncode == 1 and "UnsupportedCpuError" in uncaught.stderr, uncaught.stderr
