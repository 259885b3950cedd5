"""The wheel: built with ZIPP_PREBUILT_LIBRARY, platform-tagged, carrying the library; it
installs into a fresh virtual environment and works there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LIBRARY = Path(os.environ.get("ZIPP_LIBRARY", ""))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Builds the wheel from a copy of the package laid out like the repository."""
    if not LIBRARY.is_file():
        pytest.skip("ZIPP_LIBRARY does not name a built library")
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(REPO / "bindings" / "python", root / "bindings" / "python",
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests"))
    shutil.copytree(REPO / "examples" / "personas", root / "examples" / "personas")
    out = tmp_path_factory.mktemp("wheelhouse")
    env = dict(os.environ, ZIPP_PREBUILT_LIBRARY=str(LIBRARY))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(root / "bindings" / "python")], env=env, check=True)
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_is_platform_tagged(wheel: Path) -> None:
    name, version, python_tag, abi_tag, platform_tag = wheel.stem.split("-")
    assert (name, version, python_tag, abi_tag) == ("libzipp", "0.1.0", "py3", "none")
    assert platform_tag != "any"
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read("libzipp-0.1.0.dist-info/WHEEL").decode()
    assert "Root-Is-Purelib: false" in metadata
    assert f"Tag: py3-none-{platform_tag}" in metadata


def test_wheel_carries_library_types_and_personas(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        library = archive.getinfo(f"libzipp/{LIBRARY.name}")
    assert library.file_size == LIBRARY.stat().st_size
    assert "libzipp/py.typed" in names
    assert "libzipp/_native.py" in names
    assert "libzipp/personas/kenji-osaka.json" in names
    assert not any(n.endswith("schema.json") for n in names)
    assert not any("/tests/" in n for n in names)


def test_wheel_installs_and_runs_in_a_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)],
                   check=True)
    script = (
        "import libzipp, pathlib\n"
        "path = pathlib.Path(libzipp.library_path())\n"
        "assert path.parent == pathlib.Path(libzipp.__file__).parent, path\n"
        "folder = libzipp.example_personas_dir()\n"
        "assert folder is not None and folder.parent == path.parent, folder\n"
        "with libzipp.Persona.from_file(folder / 'wei-shenzhen.json') as p, libzipp.Rewriter() as r:\n"
        "    print(r.rewrite_text(p, 'a night market', {'seed': 1}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("ZIPP_LIBRARY", "PYTHONPATH")}
    done = subprocess.run([str(python), "-c", script], env=env, cwd=tmp_path, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("a night market")
