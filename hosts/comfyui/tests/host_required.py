"""What a test does when something it needs is missing: ``SKIPPED: reason`` locally, a failure
on CI (``CI=true``) or with ``ZIPP_REQUIRE_HOSTS=1``."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def required() -> bool:
    """Whether missing hosts and tools fail the tests instead of skipping them."""
    return os.environ.get("CI") == "true" or os.environ.get("ZIPP_REQUIRE_HOSTS") == "1"


def missing(reason: str) -> NoReturn:
    """Skips the test with ``reason`` (printed as ``SKIPPED: reason``), or fails it on CI."""
    if required():
        pytest.fail(f"{reason} (CI=true or ZIPP_REQUIRE_HOSTS=1: required)")
    print(f"SKIPPED: {reason}")
    pytest.skip(reason)
