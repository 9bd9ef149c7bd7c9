"""Word: our own layout with python-docx, or the user's own template filled with docxtpl.

Our layout: a title, a heading per section, the customer information as a table, bullet lists,
the timeline as a table, the charts as pictures (drawn with Pillow from the same geometry as the
HTML's SVG), and evidence as footnote-style references: every fact carries a superscript number
that points into the numbered *Evidence* list at the end (time, speaker, the words said).

A user template is a ``.docx`` with Jinja tags (docxtpl): its context is the snapshot JSON with
the same keys, plus ``section`` (the sections by key) and the ``clock`` filter; it is rendered
with autoescaping, so transcript text can never inject Word markup.
"""

from __future__ import annotations

import io
import os
import re
from typing import Any

from customer_snapshot.errors import TemplateError
from customer_snapshot.render.charts import talk_bars, topic_bands
from customer_snapshot.render.env import clock, label

__all__ = ["docx_context", "render_docx"]

# Characters XML 1.0 cannot hold (a transcript may contain them; Word would refuse the file).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_INK = (0x1D, 0x24, 0x33)
_MUTED = (0x5B, 0x64, 0x75)
_ACCENT = (0x2F, 0x6F, 0xDF)
_BAND_COLOURS = ((0x2F, 0x6F, 0xDF), (0x7A, 0xA6, 0xF0), (0xB9, 0xCF, 0xF5))


def _clean(value: Any) -> Any:
    """The snapshot with every string made XML-safe (recursively)."""
    if isinstance(value, str):
        return _XML_BAD.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def render_docx(
    snapshot: dict[str, Any], *, template: str | os.PathLike[str] | None = None
) -> bytes:
    """The snapshot JSON (as a dict) as the bytes of a ``.docx`` file.

    Raises:
        TemplateError: the user template is not a Word document or its tags fail to render.
    """
    data = _clean(snapshot)
    if template is not None:
        return _fill_template(data, os.fspath(template))
    return _Layout(data).build()


# -- the user's template ---------------------------------------------------------------------


def docx_context(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What a user template sees: the snapshot JSON's keys, plus ``section`` by key."""
    context = dict(snapshot)
    context["section"] = {s["key"]: s for s in snapshot.get("sections", [])}
    return context


def _fill_template(data: dict[str, Any], path: str) -> bytes:
    import zipfile

    import jinja2
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise TemplateError(name, "no such file")
    try:
        doc = DocxTemplate(path)
        doc.init_docx()
    except OSError as exc:
        raise TemplateError(name, exc.strerror or str(exc)) from None
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise TemplateError(name, "not a Word document (.docx)") from exc
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.filters["clock"] = clock
    env.filters["label"] = label
    try:
        doc.render(docx_context(data), jinja_env=env, autoescape=True)
        out = io.BytesIO()
        doc.save(out)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(name, f"line {exc.lineno} of the document XML: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(name, f"{type(exc).__name__}: {exc}") from None
    return out.getvalue()


# -- our layout ------------------------------------------------------------------------------


class _Layout:
    """Builds our document; ``refs`` numbers the evidence in order of first mention."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        from docx import Document

        self.s = snapshot
        self.doc = Document()
        self.refs: dict[tuple[float, str | None, str], int] = {}
        self._style()

    # styles and small pieces

    def _style(self) -> None:
        from docx.shared import Cm, Pt, RGBColor

        for section in self.doc.sections:
            section.left_margin = section.right_margin = Cm(2.2)
            section.top_margin = section.bottom_margin = Cm(2.0)
        normal = self.doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        normal.font.color.rgb = RGBColor(*_INK)
        for name, size in (("Title", 24), ("Heading 1", 15), ("Heading 2", 11.5)):
            style = self.doc.styles[name]
            style.font.name = "Calibri"
            style.font.size = Pt(size)
            style.font.color.rgb = RGBColor(*(_INK if name == "Title" else _ACCENT))
        self.doc.core_properties.title = self._title()
        self.doc.core_properties.author = str(self.s.get("generator", {}).get("name", ""))

    def _title(self) -> str:
        company = self.s["sections"][0]["fields"].get("company_name")
        return "Customer Solution Snapshot" + (f": {company['value']}" if company else "")

    def _ref(self, fact: dict[str, Any]) -> int | None:
        evidence = fact.get("evidence") or []
        if not evidence:
            return None
        e = evidence[0]
        key = (float(e.get("start") or 0.0), e.get("speaker"), str(e.get("text", "")))
        if key not in self.refs:
            self.refs[key] = len(self.refs) + 1
        return self.refs[key]

    def _fact(self, paragraph: Any, fact: dict[str, Any], *, prefix: str = "") -> None:
        """``value`` then a superscript evidence number, in an existing paragraph."""
        from docx.shared import RGBColor

        if prefix:
            paragraph.add_run(prefix).bold = True
        paragraph.add_run(str(fact.get("value", "")))
        due = fact.get("due")
        if due:
            run = paragraph.add_run(f" (due {due})")
            run.italic = True
        number = self._ref(fact)
        if number is not None:
            run = paragraph.add_run(f"[{number}]")
            run.font.superscript = True
            run.font.color.rgb = RGBColor(*_ACCENT)

    def _muted(self, text: str, *, italic: bool = True) -> Any:
        from docx.shared import Pt, RGBColor

        p = self.doc.add_paragraph()
        run = p.add_run(text)
        run.italic = italic
        run.font.size = Pt(9.5)
        run.font.color.rgb = RGBColor(*_MUTED)
        return p

    def _table(self, header: list[str], rows: list[list[Any]], widths: list[float]) -> None:
        """A grid table (no header row when ``header`` is empty); a cell is text or a fact."""
        from docx.shared import Cm

        table = self.doc.add_table(rows=1 if header else 0, cols=len(widths))
        table.style = "Light Grid Accent 1"
        table.autofit = False
        if header:
            for cell, text in zip(table.rows[0].cells, header, strict=True):
                cell.text = text
        else:  # the table style would make the first data row look like a header
            from docx.oxml.ns import qn

            look = table._tbl.tblPr.find(qn("w:tblLook"))
            if look is not None:
                look.set(qn("w:firstRow"), "0")
                look.set(qn("w:val"), "0480")  # the same flags as a bitmask (Word 2007)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                if isinstance(value, dict):
                    self._fact(cell.paragraphs[0], value)
                else:
                    cell.text = str(value)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)  # the grid (LibreOffice reads this) and every cell (Word)
            for cell in column.cells:
                cell.width = Cm(width)
        self.doc.add_paragraph()

    # the document

    def build(self) -> bytes:
        s = self.s
        self.doc.add_paragraph(self._title(), style="Title")
        src = s["source"]
        self._muted(
            f"From {src['name']} · {clock(src['duration_seconds'])} · {src['words']:,} words · "
            f"{len(s.get('participants', []))} speakers · generated by "
            f"{s['generator']['name']} {s['generator']['version']}. Superscript numbers point to "
            "the moment and speaker each fact came from (see Evidence at the end)."
        )
        for number, sec in enumerate(s["sections"], 1):
            self.doc.add_heading(f"{number}. {sec['title']}", level=1)
            self._section(sec)
        if s.get("action_items"):
            self.doc.add_heading("Action items", level=1)
            for a in s["action_items"]:
                p = self.doc.add_paragraph(style="List Bullet")
                self._fact(p, a, prefix=f"{a['owner']}: " if a.get("owner") else "")
        self._evidence()
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    def _section(self, sec: dict[str, Any]) -> None:
        if sec.get("summary"):
            self.doc.add_paragraph(str(sec["summary"]))
        if sec["key"] == "customer_information":
            rows = [[label(k), f if f else "—"] for k, f in sec["fields"].items()]
            self._table([], rows, [4.5, 12.1])
            self._participants()
            return
        if sec["key"] == "visuals":
            self._visuals(sec)
            return
        shown = bool(sec.get("summary"))
        for name, f in sec["fields"].items():
            if f:
                self._fact(self.doc.add_paragraph(), f, prefix=f"{label(name)}: ")
                shown = True
        for name, items in sec["items"].items():
            if not items:
                continue
            shown = True
            self.doc.add_heading(label(name), level=2)
            if name == "milestones":
                rows = [[f.get("normalized") or "", f] for f in items]
                self._table(["Date", "Milestone"], rows, [3.0, 13.5])
                continue
            for f in items:
                self._fact(self.doc.add_paragraph(style="List Bullet"), f)
        if not shown:
            self._muted("Not discussed in this call.")

    def _participants(self) -> None:
        people = self.s.get("participants") or []
        if not people:
            return
        self.doc.add_heading("Participants", level=2)
        rows = [
            [
                p["name"],
                p.get("organization") or "—",
                p.get("role") or "—",
                f"{clock(p.get('talk_seconds'))} ({float(p.get('talk_share') or 0):.0%})",
            ]
            for p in people
        ]
        self._table(["Name", "Organisation", "Role", "Talk time"], rows, [4.0, 4.5, 4.5, 3.5])

    def _visuals(self, sec: dict[str, Any]) -> None:
        from docx.shared import Cm

        timeline = sec["items"].get("timeline") or []
        charts = sec["items"].get("charts") or []
        if timeline:
            self.doc.add_heading("Timeline", level=2)
            rows = [[f.get("normalized") or "", f] for f in timeline]
            self._table(["Date", "Milestone"], rows, [3.0, 13.5])
        for chart in charts:
            data = chart.get("data") or {}
            png = None
            if data.get("type") == "bar":
                png = talk_time_png(data.get("series") or [])
            elif data.get("type") == "timeline":
                png = topics_png(
                    data.get("series") or [], float(self.s["source"]["duration_seconds"])
                )
            if png is None:
                continue
            self.doc.add_heading(str(chart.get("value", "")), level=2)
            self.doc.add_picture(io.BytesIO(png), width=Cm(16.0))
        if not timeline and not charts:
            self._muted("Not discussed in this call.")

    def _evidence(self) -> None:
        from docx.shared import Pt

        if not self.refs:
            return
        self.doc.add_heading("Evidence", level=1)
        for (start, speaker, text), number in sorted(self.refs.items(), key=lambda kv: kv[1]):
            p = self.doc.add_paragraph()
            p.paragraph_format.space_after = Pt(2)
            p.add_run(f"[{number}] ").bold = True
            p.add_run(
                f"{clock(start)}" + (f" · {speaker}" if speaker else "") + " — "
            ).italic = True
            said = text.strip().strip('"“”')
            p.add_run(f"“{said}”")


# -- charts as pictures ----------------------------------------------------------------------

_SCALE = 2  # drawn at twice the size they are shown, so they stay sharp in print


def _font(size: int) -> Any:
    from PIL import ImageFont

    return ImageFont.load_default(size=size * _SCALE)


def _fit(draw: Any, text: str, font: Any, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _png(image: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def talk_time_png(series: list[dict[str, Any]]) -> bytes | None:
    """Talk time per speaker as horizontal bars (longest first), or None without speakers."""
    from PIL import Image, ImageDraw

    bars = talk_bars(series, width=380.0)
    if not bars:
        return None
    k = _SCALE
    row, label_w, width = 30, 170, 680
    image = Image.new("RGB", (width * k, (len(bars) * row + 12) * k), "white")
    draw = ImageDraw.Draw(image)
    font = _font(13)
    for i, b in enumerate(bars):
        y = (i * row + 6) * k
        name = _fit(draw, str(b["name"]), font, (label_w - 12) * k)
        draw.text((0, y + 2 * k), name, fill=_INK, font=font)
        shade = max(0.4, 1.0 - i * 0.12)
        colour = tuple(int(255 - (255 - c) * shade) for c in _ACCENT)
        x1 = (label_w + max(2.0, float(b["length"]))) * k
        draw.rounded_rectangle((label_w * k, y, x1, y + 20 * k), radius=3 * k, fill=colour)
        text = f"{clock(b['seconds'])} ({float(b['share']):.0%})"
        draw.text((x1 + 8 * k, y + 2 * k), text, fill=_MUTED, font=font)
    return _png(image)


def topics_png(series: list[dict[str, Any]], duration: float) -> bytes | None:
    """Topics across the call: one row per topic, a bar from its start to its end."""
    from PIL import Image, ImageDraw

    plot_w = 440.0
    bands = topic_bands(series, duration, width=plot_w)
    if not bands:
        return None
    k = _SCALE
    row, label_w, width = 28, 220, 680
    height = len(bands) * row + 34
    image = Image.new("RGB", (width * k, height * k), "white")
    draw = ImageDraw.Draw(image)
    font, small = _font(13), _font(11)
    axis_y = len(bands) * row + 6
    for i, b in enumerate(bands):
        y = (i * row + 4) * k
        title = _fit(draw, str(b["title"]), font, (label_w - 12) * k)
        draw.text((0, y + 2 * k), title, fill=_INK, font=font)
        x0 = (label_w + float(b["x"])) * k
        x1 = x0 + float(b["w"]) * k
        draw.rectangle((x0, y, x1, y + 18 * k), fill=_BAND_COLOURS[i % len(_BAND_COLOURS)])
    draw.line((label_w * k, axis_y * k, (label_w + plot_w) * k, axis_y * k), fill=_MUTED, width=k)
    for j in range(5):
        x = (label_w + plot_w * j / 4) * k
        draw.line((x, axis_y * k, x, (axis_y + 5) * k), fill=_MUTED, width=k)
        text = clock(duration * j / 4)
        w = draw.textlength(text, font=small)
        tx = min(max(x - w / 2, label_w * k), (label_w + plot_w) * k - w)
        draw.text((tx, (axis_y + 8) * k), text, fill=_MUTED, font=small)
    return _png(image)
