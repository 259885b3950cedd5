"""Stand-in for the web UI's ``launch`` module as install.py sees it: ``is_installed`` and
``run_pip`` (which runs ``python -m pip <command> --prefer-binary``); calls are recorded."""

from __future__ import annotations

import importlib.metadata
import importlib.util

installed: set[str] = set()
pip_calls: list[tuple[str, str]] = []


def is_installed(package: str) -> bool:
    """A distribution of that name, else an importable module of that name."""
    if package in installed:
        return True
    try:
        importlib.metadata.distribution(package)
        return True
    except importlib.metadata.PackageNotFoundError:
        return importlib.util.find_spec(package) is not None


def run_pip(command: str, desc: str = "", live: bool = False) -> str:
    """Records the pip command instead of running it."""
    pip_calls.append((command, desc))
    return ""
