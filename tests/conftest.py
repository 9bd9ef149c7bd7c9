"""Shared fixtures: paths to our fixture transcripts and the shared development data."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
QUIRKS = FIXTURES / "quirks"
SHARED = ROOT.parent / "shared"
DEV = SHARED / "data" / "dev"
_HOME = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Runs of the CLI under test (in process or as subprocesses) record their metrics and cache
    results in SNAPSHOT_HOME: a temporary folder for the session, never the user's real one."""
    home = tempfile.mkdtemp(prefix="snapshot-home-")
    config.stash[_HOME] = home
    os.environ["SNAPSHOT_HOME"] = home


def pytest_unconfigure(config: pytest.Config) -> None:
    home = config.stash.get(_HOME, None)
    if home:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def quirks() -> Path:
    return QUIRKS


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    if not DEV.is_dir():
        pytest.skip("../shared/data/dev is not beside this checkout")
    return DEV
