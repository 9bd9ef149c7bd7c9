"""The HTML snapshot as a person sees it: headless Chromium over the DevTools protocol.

A screenshot of the page (written to the test's temporary folder), no console errors, no
request but the file itself, and a hostile transcript (``<script>`` in a speaker's name and in
what was said) that shows as text and runs nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from customer_snapshot.render import render
from tests.browser import screenshot


def _page(snapshot: dict[str, Any], folder: Path) -> Path:
    [html] = render(snapshot, "html", f"{folder}/out/")
    return Path(html)


def test_html_snapshot_in_chromium(example_snapshot: dict[str, Any], tmp_path: Path) -> None:
    from PIL import Image

    page = _page(example_snapshot, tmp_path)
    result = screenshot(page, tmp_path / "snapshot.png", width=1100)
    assert result.console_errors == []
    assert result.requests == [page.resolve().as_uri()]  # the page, and nothing else
    company = example_snapshot["sections"][0]["fields"]["company_name"]["value"]
    assert company in result.title
    assert result.height > 3000  # eleven sections, charts and the evidence list
    with Image.open(result.png) as shot:
        assert shot.size[0] >= 1100
        colours = shot.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50  # text and charts, not a blank page


def test_hostile_transcript_shows_as_text(hostile_snapshot: dict[str, Any], tmp_path: Path) -> None:
    page = _page(hostile_snapshot, tmp_path)
    result = screenshot(page, tmp_path / "hostile.png", width=1000, height=1200)
    # alert() in a <script> that ran would not reach the console, but any script would need
    # the DOM: the page has no script element at all, and nothing failed or was requested.
    assert result.console_errors == []
    assert result.external_requests == []
    html = page.read_text()
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
