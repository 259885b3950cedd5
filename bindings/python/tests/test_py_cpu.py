"""The CPU check before loading: a CPU below the library's x86-64 level gets UnsupportedCpuError
(simulated with ZIPP_CPU_FLAGS), never an illegal instruction; the build record sets the level."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import libzipp
from libzipp import cpu

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
HASWELL = "sse2 pni ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt xsave avx f16c lahf_lm abm bmi1 avx2 bmi2"
OLD = "fpu sse sse2 sse4_2"


def test_a_v3_cpu_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cpu.CPU_FLAGS_ENV, HASWELL)
    cpu.require("x86-64-v3")
    with pytest.raises(libzipp.UnsupportedCpuError) as raised:
        cpu.require("x86-64-v4")
    assert raised.value.missing == ("avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl")
    assert "This CPU runs x86-64-v3" in str(raised.value)


def test_an_old_cpu_is_refused_with_the_missing_features(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cpu.CPU_FLAGS_ENV, OLD.replace(" ", ","))
    with pytest.raises(libzipp.UnsupportedCpuError) as raised:
        cpu.require("x86-64-v3")
    error = raised.value
    assert isinstance(error, libzipp.LibraryLoadError) and isinstance(error, ImportError)
    assert error.level == "x86-64-v3"
    assert {"avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "lzcnt", "movbe", "sse3"} <= set(error.missing)
    assert "sse4_2" not in error.missing
    message = str(error)
    assert "avx2" in message and "ZIPP_CPU_FLAGS" in message and "illegal instruction" in message
    assert "scripts/build_wheel.sh --cpu x86-64`" in message


def test_a_baseline_or_non_x86_build_is_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cpu.CPU_FLAGS_ENV, "")
    cpu.require("x86-64")
    cpu.require(None)


def test_an_unknown_level_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cpu.CPU_FLAGS_ENV, HASWELL)
    with pytest.raises(libzipp.UnsupportedCpuError, match="x86-64-v9"):
        cpu.require("x86-64-v9")


@pytest.mark.parametrize("record, level", [({"cpu_level": "x86-64"}, "x86-64"), ({"cpu_level": None}, None),
                                           ({"cpu_level": "x86-64-v4"}, "x86-64-v4")])
def test_the_build_record_names_the_level(tmp_path: Path, record: dict, level: str | None) -> None:
    (tmp_path / cpu.BUILD_RECORD).write_text(json.dumps(record), encoding="utf-8")
    assert cpu.build_level(tmp_path) == level


def test_without_a_record_x86_64_means_v3(tmp_path: Path) -> None:
    x86 = platform.machine().lower() in ("x86_64", "amd64")
    assert cpu.build_level(tmp_path) == ("x86-64-v3" if x86 else None)


def test_a_broken_record_is_a_load_error(tmp_path: Path) -> None:
    (tmp_path / cpu.BUILD_RECORD).write_text("{not json", encoding="utf-8")
    with pytest.raises(libzipp.LibraryLoadError, match=cpu.BUILD_RECORD):
        cpu.build_level(tmp_path)


@pytest.mark.skipif(not Path("/proc/cpuinfo").is_file(), reason="no /proc/cpuinfo")
def test_proc_cpuinfo_flags_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cpu.CPU_FLAGS_ENV, raising=False)
    flags, source = cpu.cpu_flags()
    assert source == "/proc/cpuinfo" and flags is not None
    if platform.machine() == "x86_64":
        assert "sse2" in flags


def _run(code: str, package: Path, flags: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(package), ZIPP_CPU_FLAGS=flags)
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True,
                          check=False)


def test_loading_on_a_simulated_old_cpu_raises_instead_of_crashing(tmp_path: Path) -> None:
    code = ("import libzipp\n"
            "try:\n"
            "    libzipp.Rewriter({'backend': 'rules'})\n"
            "except libzipp.UnsupportedCpuError as error:\n"
            "    print(error.level, ','.join(error.missing))\n")
    done = _run(code, PACKAGE_ROOT, OLD, tmp_path)
    assert done.returncode == 0, done.stderr
    level, missing = done.stdout.split()
    assert level == "x86-64-v3" and "avx2" in missing.split(",")
    uncaught = _run("import libzipp; libzipp.version()", PACKAGE_ROOT, OLD, tmp_path)
    assert uncaught.returncode == 1 and "UnsupportedCpuError" in uncaught.stderr, uncaught.stderr


def test_a_baseline_record_skips_the_check(tmp_path: Path) -> None:
    package = tmp_path / "site"
    shutil.copytree(PACKAGE_ROOT / "libzipp", package / "libzipp", ignore=shutil.ignore_patterns("__pycache__"))
    (package / "libzipp" / cpu.BUILD_RECORD).write_text('{"cpu_level": "x86-64"}', encoding="utf-8")
    done = _run("import libzipp; print(libzipp.version())", package, OLD, tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "0.1.0", done.stderr
