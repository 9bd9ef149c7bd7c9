"""Snapshots built once per session by the real pipeline, for the renderer tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from customer_snapshot import Config
from customer_snapshot.pipeline import generate_snapshot

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"
HOSTILE = ROOT / "tests" / "fixtures" / "render" / "hostile.vtt"
EXAMPLE_TEMPLATE = ROOT / "templates" / "snapshot_template.docx"


@pytest.fixture(scope="session")
def example_snapshot() -> dict[str, Any]:
    return generate_snapshot(EXAMPLE, config=Config.from_env({})).to_dict()  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def hostile_snapshot() -> dict[str, Any]:
    """A call whose speaker names and words hold ``<script>``, ``&`` and quotes."""
    return generate_snapshot(HOSTILE, config=Config.from_env({})).to_dict()  # type: ignore[no-any-return]
