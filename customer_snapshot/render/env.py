"""One cached Jinja2 environment per (format, template folder).

Templates live in the top-level ``templates/`` folder, installed as
``customer_snapshot.templates``; a user may point at a folder of their own whose templates
override ours by name. ``StrictUndefined`` makes a template that names a missing key fail loudly
(a :class:`TemplateError`), and HTML templates are autoescaped: transcript text is untrusted.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["clock", "get_environment", "label", "templates_dir"]


def templates_dir() -> Path:
    """The folder of the templates that ship with the package."""
    return Path(str(resources.files("customer_snapshot.templates")))


def clock(seconds: float | None) -> str:
    """``[mm:ss]``-style time of a moment in the call.

    >>> clock(754.2), clock(3725)
    ('12:34', '1:02:05')
    """
    if seconds is None:
        return "--:--"
    whole = round(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


_LABELS = {"roi": "ROI"}


def label(name: str) -> str:
    """The heading of a field or list: ``cost_savings`` → ``Cost savings``, ``roi`` → ``ROI``.

    >>> label("quantifiable_improvements"), label("roi")
    ('Quantifiable improvements', 'ROI')
    """
    return _LABELS.get(name) or name.replace("_", " ").capitalize()


def _md_escape(text: Any) -> str:
    r"""Escape what Markdown would read as markup in transcript text (``*``, ``_``, ``<`` ...).

    >>> print(_md_escape("a_b *c* <script>"))
    a\_b \*c\* \<script\>
    """
    out = str(text)
    for ch in ("\\", "`", "*", "_", "[", "]", "<", ">", "|", "#"):
        out = out.replace(ch, "\\" + ch)
    return out


@functools.lru_cache(maxsize=8)
def get_environment(kind: str, user_dir: str | None = None) -> Any:
    """The Jinja environment for ``kind`` (``md`` or ``html``), user templates first."""
    import jinja2

    folders = [user_dir] if user_dir else []
    folders.append(str(templates_dir()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clock"] = clock
    env.filters["md"] = _md_escape
    env.filters["label"] = label
    return env
