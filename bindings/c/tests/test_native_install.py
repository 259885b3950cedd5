"""install.sh into a temporary prefix, then example.c and example.cpp built against it with
pkg-config and with CMake's find_package(Zipp), and run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import libzipp

NATIVE = Path(__file__).resolve().parents[1]
REPO = NATIVE.parents[1]
PERSONA = REPO / "examples" / "personas" / "kenji-osaka.json"
LIBRARY = Path(os.environ.get("ZIPP_LIBRARY", ""))

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="install.sh needs a POSIX shell")


def _need(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        print(f"skipped: {', '.join(missing)} not installed")
        pytest.skip(f"{', '.join(missing)} not installed")


@pytest.fixture(scope="module")
def prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A prefix filled by install.sh from the library the tests use."""
    if not LIBRARY.is_file():
        pytest.skip("ZIPP_LIBRARY does not name a built library")
    target = tmp_path_factory.mktemp("prefix")
    subprocess.run(["bash", str(NATIVE / "install.sh"), str(target), str(LIBRARY.parent)], check=True)
    return target


def _run(program: Path, prefix: Path, prompt: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LD_LIBRARY_PATH=str(prefix / "lib"), DYLD_LIBRARY_PATH=str(prefix / "lib"))
    return subprocess.run([str(program), str(PERSONA), prompt], env=env, capture_output=True, text=True,
                          check=False)


def _expected(prompt: str) -> str:
    with libzipp.Persona.from_file(PERSONA) as persona, libzipp.Rewriter({"backend": "rules"}) as rewriter:
        return rewriter.rewrite_text(persona, prompt, {"seed": 1})


def test_install_layout(prefix: Path) -> None:
    for relative in ("include/zipp.h", "include/zipp.hpp", "lib/pkgconfig/zipp.pc",
                     "lib/cmake/Zipp/ZippConfig.cmake", "lib/cmake/Zipp/ZippConfigVersion.cmake",
                     f"lib/{LIBRARY.name}"):
        assert (prefix / relative).is_file(), relative
    assert (prefix / "include/zipp.h").read_bytes() == (REPO / "include/zipp.h").read_bytes()
    pc = (prefix / "lib/pkgconfig/zipp.pc").read_text(encoding="utf-8")
    assert f"prefix={prefix}" in pc and "Version: 0.1.0" in pc and "@" not in pc


def test_pkg_config_builds_c_and_cpp_examples(prefix: Path, tmp_path: Path) -> None:
    _need("cc", "c++", "pkg-config")
    env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"))
    assert subprocess.run(["pkg-config", "--modversion", "zipp"], env=env, capture_output=True, text=True,
                          check=True).stdout.strip() == "0.1.0"
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "zipp"], env=env, capture_output=True,
                           text=True, check=True).stdout.split()
    c_program, cpp_program = tmp_path / "example-c", tmp_path / "example-cpp"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", str(NATIVE / "example.c"), *flags,
                    "-o", str(c_program)], check=True)
    subprocess.run(["c++", "-std=c++17", "-Wall", "-Wextra", "-Werror", str(NATIVE / "example.cpp"), *flags,
                    "-o", str(cpp_program)], check=True)
    for program in (c_program, cpp_program):
        done = _run(program, prefix, "a paper lantern")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == _expected("a paper lantern")
    done = _run(cpp_program, prefix, "a paper lantern")
    assert "expected: ZIPP_STATUS_INVALID_OPTIONS: invalid options: k: 99" in done.stderr
    missing = subprocess.run([str(cpp_program), str(PERSONA) + ".missing", "x"], capture_output=True, text=True,
                             env=dict(os.environ, LD_LIBRARY_PATH=str(prefix / "lib")), check=False)
    assert missing.returncode == 1 and "ZIPP_STATUS_IO" in missing.stderr


def test_cmake_find_package(prefix: Path, tmp_path: Path) -> None:
    _need("cmake", "cc", "c++")
    build = tmp_path / "build"
    subprocess.run(["cmake", "-S", str(NATIVE), "-B", str(build), f"-DCMAKE_PREFIX_PATH={prefix}"],
                   check=True, capture_output=True, text=True)
    subprocess.run(["cmake", "--build", str(build)], check=True, capture_output=True, text=True)
    for name in ("zipp-example", "zipp-example-cpp"):
        done = _run(build / name, prefix, "a quiet platform")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == _expected("a quiet platform")


def test_cmake_refuses_an_incompatible_version(prefix: Path, tmp_path: Path) -> None:
    _need("cmake")
    project = tmp_path / "project"
    project.mkdir()
    (project / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.16)\nproject(probe LANGUAGES NONE)\n"
        "find_package(Zipp 0.2 QUIET)\nif(Zipp_FOUND)\n  message(FATAL_ERROR \"0.2 accepted\")\nendif()\n"
        "find_package(Zipp 0.1 REQUIRED)\nget_target_property(loc Zipp::zipp IMPORTED_LOCATION)\n"
        "message(STATUS \"Zipp at ${loc}\")\n", encoding="utf-8")
    done = subprocess.run(["cmake", "-S", str(project), "-B", str(tmp_path / "b"), f"-DCMAKE_PREFIX_PATH={prefix}"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Zipp at {prefix / 'lib' / LIBRARY.name}" in done.stdout


def test_usage_errors() -> None:
    done = subprocess.run(["bash", str(NATIVE / "install.sh")], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "usage" in done.stderr
