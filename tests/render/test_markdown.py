"""Markdown rendering: every section, evidence times, untrusted text escaped."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from customer_snapshot import Config
from customer_snapshot.cli import main
from customer_snapshot.pipeline import generate_snapshot
from customer_snapshot.render.markdown import render_markdown
from customer_snapshot.snapshot.model import SECTIONS

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"


@pytest.fixture(scope="module")
def snapshot() -> dict[str, Any]:
    return generate_snapshot(EXAMPLE, config=Config.from_env({})).to_dict()  # type: ignore[no-any-return]


def test_every_section_is_a_heading(snapshot: dict[str, Any]) -> None:
    text = render_markdown(snapshot)
    for i, (_, title, _, _) in enumerate(SECTIONS, 1):
        assert f"## {i}. {title}" in text
    assert "| Primary contact |" in text
    # Facts carry the moment and speaker they came from.
    first_problem = snapshot["sections"][1]["items"]["problems"][0]
    assert first_problem["evidence"][0]["speaker"] in text


def test_empty_sections_say_so_rather_than_invent(snapshot: dict[str, Any]) -> None:
    data = copy.deepcopy(snapshot)
    for sec in data["sections"]:
        sec["summary"] = ""
        sec["fields"] = {k: None for k in sec["fields"]}
        sec["items"] = {k: [] for k in sec["items"]}
    text = render_markdown(data)
    assert text.count("*Not discussed in this call.*") >= 9


def test_untrusted_text_is_escaped(snapshot: dict[str, Any]) -> None:
    data = copy.deepcopy(snapshot)
    evil = 'We said <script>alert("x")</script> & *bold* [link](http://x) | pipe'
    data["sections"][1]["items"]["problems"][0]["value"] = evil
    text = render_markdown(data)
    assert "<script>" not in text
    assert "\\<script\\>" in text and "\\*bold\\*" in text and "\\|" in text


def test_process_markdown_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["process", str(EXAMPLE), "-f", "md", "-o", str(tmp_path) + "/", "-q"]) == 0
    out = tmp_path / "acme_onboarding.snapshot.md"
    assert out.read_text().startswith("# Customer Solution Snapshot")
    assert main(["process", str(EXAMPLE), "-f", "md", "-o", "-", "-q"]) == 0
    assert "## 11. Executive Summary" in capsys.readouterr().out
