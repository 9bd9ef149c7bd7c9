"""Markdown: the 11 sections as headings, customer information as a table, ``[12:34]`` times."""

from __future__ import annotations

from typing import Any

from customer_snapshot.errors import TemplateError
from customer_snapshot.render.env import get_environment

__all__ = ["render_markdown"]


def render_markdown(snapshot: dict[str, Any], *, template_dir: str | None = None) -> str:
    """Render the snapshot JSON (as a dict) to Markdown text."""
    import jinja2

    env = get_environment("md", template_dir)
    try:
        text: str = env.get_template("snapshot.md.j2").render(snapshot=snapshot)
    except jinja2.TemplateError as exc:
        raise TemplateError("snapshot.md.j2", f"{type(exc).__name__}: {exc}") from None
    # Templates leave runs of blank lines where optional parts were skipped.
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() == "" and lines and lines[-1].strip() == "":
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"
