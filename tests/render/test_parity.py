"""Every section, and every fact in it, reaches every output format (parity of templates)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document

from customer_snapshot.render import render_bytes

from .conftest import EXAMPLE_TEMPLATE


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _html_text(data: bytes) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", data.decode()))


def _md_text(data: bytes) -> str:
    return re.sub(r"\\(.)", r"\1", data.decode())


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "md": lambda s: _md_text(render_bytes(s, "md")),
    "html": lambda s: _html_text(render_bytes(s, "html")),
    "docx": lambda s: _docx_text(render_bytes(s, "docx")),
    "docx-template": lambda s: _docx_text(render_bytes(s, "docx", template=EXAMPLE_TEMPLATE)),
}


def _facts(section: dict[str, Any]) -> list[dict[str, Any]]:
    facts = [f for f in section["fields"].values() if f]
    for name, items in section["items"].items():
        if name != "charts":
            facts.extend(items)
    return facts


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("which", ["example_snapshot", "hostile_snapshot"])
def test_every_section_and_fact_is_rendered(
    fmt: str, which: str, request: pytest.FixtureRequest
) -> None:
    snapshot: dict[str, Any] = request.getfixturevalue(which)
    text = _squash(RENDERERS[fmt](snapshot))
    missing = []
    for sec in snapshot["sections"]:
        if sec["title"] not in text:
            missing.append(sec["key"])
        missing.extend(
            f"{sec['key']}: {f['value'][:40]}"
            for f in _facts(sec)
            if _squash(f["value"]) not in text
        )
    missing.extend(a["value"] for a in snapshot["action_items"] if _squash(a["value"]) not in text)
    assert not missing
    assert sum(len(_facts(s)) for s in snapshot["sections"]) > 5  # a real snapshot, not empty
