"""Batch fixtures: a private SNAPSHOT_HOME per test, transcripts to batch, a pathological one."""

from __future__ import annotations

from pathlib import Path

import pytest

from customer_snapshot.config import Config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"
QUIRKS = ROOT / "tests" / "fixtures" / "quirks"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """SNAPSHOT_HOME (result cache, run metrics) for this test only."""
    path = tmp_path / "home"
    monkeypatch.setenv("SNAPSHOT_HOME", str(path))
    return path


@pytest.fixture
def config(home: Path) -> Config:
    """Settings from a clean environment (not the developer's), with this test's home."""
    return Config.from_env({"SNAPSHOT_HOME": str(home)}, progress=False)


def write_long_cue(path: Path, chars: int = 500_000) -> Path:
    """A transcript whose one cue is ``chars`` long: spaCy's parse of it needs hundreds of MB,
    so it passes a small per-worker memory limit (a real pathological input: captions with no
    cue breaks)."""
    words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
    text = (words * (chars // len(words) + 1))[:chars].strip()
    path.write_text(f"WEBVTT\n\n00:00:01.000 --> 00:00:09.000\n{text}\n", encoding="utf-8")
    return path
