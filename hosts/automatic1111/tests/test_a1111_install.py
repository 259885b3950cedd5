"""install.py installs the wheel through launch.run_pip only when libzipp is missing."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

import launch

INSTALL = Path(__file__).resolve().parents[1] / "install.py"


@pytest.fixture(autouse=True)
def clean_launch(monkeypatch: pytest.MonkeyPatch) -> None:
    """No recorded pip calls; libzipp reported missing unless a test says otherwise."""
    launch.pip_calls.clear()
    monkeypatch.setattr(launch, "is_installed", lambda package: package in launch.installed)
    launch.installed.clear()


def test_installs_the_named_wheel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wheel = tmp_path / "dir with space" / "libzipp-0.1.0-py3-none-manylinux_2_28_x86_64.whl"
    monkeypatch.setenv("ZIPP_WHEEL", str(wheel))
    runpy.run_path(str(INSTALL), run_name="__main__")
    assert launch.pip_calls == [(f'install "{wheel}"', "libzipp for the ZIPP persona extension")]


def test_falls_back_to_the_index_requirement(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZIPP_WHEEL", raising=False)
    runpy.run_path(str(INSTALL), run_name="__main__")
    command, _ = launch.pip_calls[0]
    local = sorted((INSTALL.parent / "wheels").glob("libzipp-*.whl"))
    assert command == (f'install "{local[-1]}"' if local else 'install "libzipp>=0.1.0,<0.2"')


def test_nothing_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    launch.installed.add("libzipp")
    runpy.run_path(str(INSTALL), run_name="__main__")
    assert launch.pip_calls == []
