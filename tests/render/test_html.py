"""HTML rendering: every section, autoescaped, self-contained, charts as SVG."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from customer_snapshot import Config
from customer_snapshot.cli import main
from customer_snapshot.pipeline import generate_snapshot
from customer_snapshot.render.html import render_html
from customer_snapshot.snapshot.model import SECTIONS

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"


@pytest.fixture(scope="module")
def snapshot() -> dict[str, Any]:
    return generate_snapshot(EXAMPLE, config=Config.from_env({})).to_dict()  # type: ignore[no-any-return]


def test_every_section_rendered_with_evidence(snapshot: dict[str, Any]) -> None:
    html = render_html(snapshot)
    for key, title, _, _ in SECTIONS:
        assert f'<section id="{key}">' in html and title in html
    n_refs = html.count('<sup class="ev">')
    assert n_refs > 10 and html.count('<li id="ev') == n_refs  # every reference has a footnote


def test_self_contained_no_external_requests(snapshot: dict[str, Any]) -> None:
    html = render_html(snapshot)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<link" not in html and "<script" not in html and "@import" not in html
    assert html.count("<svg") >= 2  # talk time and timeline/topics, drawn inline


def test_untrusted_transcript_text_is_escaped(snapshot: dict[str, Any]) -> None:
    data = copy.deepcopy(snapshot)
    evil = '<script>alert("x")</script> & "quotes" <img src=x onerror=alert(1)>'
    data["sections"][1]["items"]["problems"][0]["value"] = evil
    data["sections"][1]["items"]["problems"][0]["evidence"][0]["text"] = evil
    data["participants"][0]["name"] = "<b>Eve</b>"
    html = render_html(data)
    assert "<script>" not in html and "<img" not in html and "<b>Eve" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in html


def test_process_html(tmp_path: Path) -> None:
    assert main(["process", str(EXAMPLE), "-f", "html", "-o", str(tmp_path) + "/", "-q"]) == 0
    out = tmp_path / "acme_onboarding.snapshot.html"
    assert out.read_text().lstrip().startswith("<!DOCTYPE html>")
