"""Where the tests find the manylinux wheel that ``scripts/build_wheel.sh`` built: the file named
by ``ZIPP_WHEEL``, e.g.

    export ZIPP_WHEEL=$(scripts/build_wheel.sh --out target/wheelhouse)

The tests do not build it themselves (a cold cross build takes minutes). Without it a test prints
``SKIPPED: reason`` and passes, except on CI (``CI=true``) or with ``ZIPP_REQUIRE_WHEEL=1``, where it
fails; a ``ZIPP_WHEEL`` that names no file always fails.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn, Optional

import pytest

#: The environment variable that names the wheel (also what hosts/automatic1111/install.py installs).
WHEEL_ENV = "ZIPP_WHEEL"

#: How to make the wheel, for messages.
HOW = f"export {WHEEL_ENV}=$(scripts/build_wheel.sh --out target/wheelhouse)"


def required() -> bool:
    """Whether a missing wheel fails the tests instead of skipping them."""
    return os.environ.get("CI") == "true" or os.environ.get("ZIPP_REQUIRE_WHEEL") == "1"


def missing(reason: str) -> NoReturn:
    """Skips with ``SKIPPED: reason``, or fails on CI (CI=true) or with ZIPP_REQUIRE_WHEEL=1."""
    if required():
        pytest.fail(f"{reason} (CI=true or ZIPP_REQUIRE_WHEEL=1: required)")
    print(f"SKIPPED: {reason}")
    pytest.skip(reason)


def given_wheel() -> Optional[Path]:
    """The wheel ``ZIPP_WHEEL`` names (None when it is unset); fails when it names no file."""
    given = os.environ.get(WHEEL_ENV)
    if not given:
        return None
    path = Path(given).expanduser()
    if not path.is_file():
        pytest.fail(f"{WHEEL_ENV}={given} is not a file; make it with: {HOW}")
    return path.resolve()


def manylinux_wheel() -> Path:
    """The wheel ``ZIPP_WHEEL`` names; skips (fails on CI) when it is unset."""
    path = given_wheel()
    if path is None:
        missing(f"{WHEEL_ENV} does not name the wheel of scripts/build_wheel.sh; make it with: {HOW}")
    return path


def no_rust_path() -> str:
    """PATH without the Rust toolchain (~/.cargo/bin, or any folder with cargo or rustc), so that
    nothing installed with it can be compiled."""
    keep = []
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if not entry or ".cargo" in entry or "rustup" in entry:
            continue
        if (Path(entry) / "cargo").exists() or (Path(entry) / "rustc").exists():
            continue
        keep.append(entry)
    return os.pathsep.join(keep)
