"""Shared fixtures: paths to our fixture transcripts and the shared development data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
QUIRKS = FIXTURES / "quirks"
SHARED = ROOT.parent / "shared"
DEV = SHARED / "data" / "dev"


@pytest.fixture(scope="session")
def quirks() -> Path:
    return QUIRKS


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    if not DEV.is_dir():
        pytest.skip("../shared/data/dev is not beside this checkout")
    return DEV
