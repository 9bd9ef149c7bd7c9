"""Word output: our python-docx layout and the user's docxtpl template."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from customer_snapshot.errors import TemplateError
from customer_snapshot.render.docx import docx_context, render_docx, talk_time_png, topics_png
from customer_snapshot.snapshot.model import SECTIONS

from .conftest import EXAMPLE_TEMPLATE


def _text(data: bytes) -> str:
    """All visible text of a .docx: paragraphs and table cells, in order."""
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def _xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode()


def test_our_layout_has_every_section_table_charts_and_evidence(
    example_snapshot: dict[str, Any],
) -> None:
    data = render_docx(example_snapshot)
    doc = Document(io.BytesIO(data))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    titles = [t for _, t, _, _ in SECTIONS]
    assert headings[: len(titles)] == [f"{i}. {t}" for i, t in enumerate(titles, 1)]
    assert headings[-1] == "Evidence"
    company = example_snapshot["sections"][0]["fields"]["company_name"]["value"]
    assert doc.paragraphs[0].style.name == "Title" and company in doc.paragraphs[0].text
    info = doc.tables[0]
    assert [r.cells[0].text for r in info.rows] == [
        "Company name", "Industry", "Location", "Primary contact", "Position",
        "Contact information",
    ]  # fmt: skip
    assert info.rows[0].cells[1].text.startswith(company)
    assert len(doc.inline_shapes) == 2  # talk time and topics, as pictures
    bullets = [p for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert len(bullets) > 10
    # Every superscript reference number has its entry in the Evidence list.
    paragraphs = list(doc.paragraphs)
    for table in doc.tables:
        paragraphs.extend(p for row in table.rows for c in row.cells for p in c.paragraphs)
    refs = {r.text for p in paragraphs for r in p.runs if r.font.superscript and r.text[:1] == "["}
    evidence = [p.text for p in doc.paragraphs if p.text[:1] == "[" and "—" in p.text]
    assert len(refs) > 10 and len(evidence) == len(refs)
    assert all(e.split(" ", 1)[0] in refs for e in evidence)


def test_charts_are_real_pictures(example_snapshot: dict[str, Any]) -> None:
    from PIL import Image

    visuals = next(s for s in example_snapshot["sections"] if s["key"] == "visuals")
    bar = next(c for c in visuals["items"]["charts"] if c["data"]["type"] == "bar")
    png = talk_time_png(bar["data"]["series"])
    assert png is not None
    image = Image.open(io.BytesIO(png))
    colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert image.size[0] > 1000 and colours is not None and len(colours) > 20  # text and bars
    assert talk_time_png([]) is None and topics_png([], 10.0) is None


def test_hostile_text_is_text_in_our_layout(hostile_snapshot: dict[str, Any]) -> None:
    data = render_docx(hostile_snapshot)
    text = _text(data)
    assert "<script>alert(1)</script>" in text and "Quill & Vine Foods" in text
    assert '"night shift"' in text
    xml = _xml(data)
    assert "<script>" not in xml and "&lt;script&gt;alert(1)&lt;/script&gt;" in xml


def test_control_characters_do_not_break_the_document(example_snapshot: dict[str, Any]) -> None:
    import copy

    data = copy.deepcopy(example_snapshot)
    data["sections"][1]["items"]["problems"][0]["value"] = "bell\x07 and vertical\x0btab"
    text = _text(render_docx(data))
    assert "bell\ufffd and vertical\ufffdtab" in text


def test_example_template_is_filled(example_snapshot: dict[str, Any]) -> None:
    data = render_docx(example_snapshot, template=EXAMPLE_TEMPLATE)
    text = _text(data)
    assert "{{" not in text and "{%" not in text
    for key, title, _, _ in SECTIONS:
        assert title in text, key
    contact = example_snapshot["sections"][0]["fields"]["primary_contact"]["value"]
    assert contact in text
    first_problem = example_snapshot["sections"][1]["items"]["problems"][0]["value"]
    assert first_problem in text


def test_user_template_is_autoescaped(hostile_snapshot: dict[str, Any]) -> None:
    data = render_docx(hostile_snapshot, template=EXAMPLE_TEMPLATE)
    assert "<script>alert(1)</script>" in _text(data)
    xml = _xml(data)
    assert "<script>" not in xml and "&lt;script&gt;" in xml


def _template(tmp_path: Path, text: str) -> Path:
    doc = Document()
    doc.add_paragraph(text)
    path = tmp_path / "mine.docx"
    doc.save(str(path))
    return path


def test_user_template_context_is_the_snapshot_json(
    example_snapshot: dict[str, Any], tmp_path: Path
) -> None:
    path = _template(
        tmp_path,
        "{{ source.name }}|{{ section.solution.fields.product.value }}|{{ sections|length }}"
        "|{{ participants[0].name }}|{{ 754.2|clock }}",
    )
    text = _text(render_docx(example_snapshot, template=path))
    product = example_snapshot["sections"][2]["fields"]["product"]["value"]
    name = example_snapshot["participants"][0]["name"]
    assert text.strip() == f"acme_onboarding.vtt|{product}|11|{name}|12:34"
    assert set(docx_context(example_snapshot)) == set(example_snapshot) | {"section"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{{ no_such_key.value }}", "UndefinedError"),
        ("{% for x in sections %}", "line"),
    ],
)
def test_broken_user_template_is_a_template_error(
    example_snapshot: dict[str, Any], tmp_path: Path, content: str, reason: str
) -> None:
    with pytest.raises(TemplateError, match=reason) as info:
        render_docx(example_snapshot, template=_template(tmp_path, content))
    assert info.value.template == "mine.docx"


def test_not_a_word_document(example_snapshot: dict[str, Any], tmp_path: Path) -> None:
    bogus = tmp_path / "notes.docx"
    bogus.write_text("just text")
    with pytest.raises(TemplateError, match="not a Word document"):
        render_docx(example_snapshot, template=bogus)
    with pytest.raises(TemplateError, match="no such file"):
        render_docx(example_snapshot, template=tmp_path / "missing.docx")
