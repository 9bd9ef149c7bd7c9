"""Renderers: Markdown, HTML, Word (our layout or the user's docxtpl template) and JSON.

:func:`render_bytes` turns a snapshot into the bytes of one format; :func:`render` writes one or
all formats, each through a temporary file and a rename, and only after every requested format
rendered, so a failure never leaves a half-written or partial set of documents.
"""

from __future__ import annotations

import io
import json
import os
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from customer_snapshot.errors import ConfigError, OutputError

__all__ = ["EXTENSIONS", "FORMATS", "output_name", "render", "render_bytes", "resolve_formats"]

FORMATS = ("md", "html", "docx", "json")
EXTENSIONS = {"md": "md", "html": "html", "docx": "docx", "json": "json"}


def resolve_formats(fmt: str | Sequence[str]) -> list[str]:
    """``"all"`` → the four formats; a name or a list of names → checked list (order kept)."""
    names = [fmt] if isinstance(fmt, str) else list(fmt)
    out: list[str] = []
    for name in names:
        for f in FORMATS if name == "all" else (name,):
            if f not in FORMATS:
                raise ConfigError("format", f, f"choose from {', '.join(FORMATS)}, all")
            if f not in out:
                out.append(f)
    return out


def output_name(stem: str, fmt: str) -> str:
    """The file name of one output: ``<stem>.snapshot.<ext>``."""
    return f"{stem}.snapshot.{EXTENSIONS[fmt]}"


def _as_dict(snapshot: Any) -> dict[str, Any]:
    if isinstance(snapshot, dict):
        return snapshot
    data: dict[str, Any] = snapshot.to_dict()
    return data


def render_bytes(
    snapshot: Any,
    fmt: str,
    *,
    template: str | os.PathLike[str] | None = None,
    template_dir: str | os.PathLike[str] | None = None,
    compact: bool = False,
) -> bytes:
    """Render a :class:`~customer_snapshot.snapshot.model.Snapshot` (or its JSON dict).

    Args:
        fmt: ``md``, ``html``, ``docx`` or ``json``.
        template: a user's Word template (docx only), filled with docxtpl.
        template_dir: a folder whose ``snapshot.md.j2`` / ``snapshot.html.j2`` / ``macros.md.j2``
            override ours (files it does not have come from ours).
        compact: JSON on one line (what stdout gets) instead of indented.

    Raises:
        TemplateError: a template is missing, invalid or fails to render.
    """
    data = _as_dict(snapshot)
    folder = os.fspath(template_dir) if template_dir is not None else None
    if fmt == "md":
        from customer_snapshot.render.markdown import render_markdown

        return render_markdown(data, template_dir=folder).encode()
    if fmt == "html":
        from customer_snapshot.render.html import render_html

        return render_html(data, template_dir=folder).encode()
    if fmt == "docx":
        from customer_snapshot.render.docx import render_docx

        docx: bytes = render_docx(data, template=template)
        return docx
    if fmt == "json":
        if compact:
            return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
    resolve_formats(fmt)  # raises the usage error
    raise AssertionError(fmt)  # pragma: no cover


def render(
    snapshot: Any,
    format: str | Sequence[str],
    output: str | os.PathLike[str] | IO[Any],
    *,
    template: str | os.PathLike[str] | None = None,
    template_dir: str | os.PathLike[str] | None = None,
    stem: str | None = None,
) -> list[str]:
    """Render and write the snapshot; returns the paths written (empty for a stream).

    ``output`` is a file path, a folder (an existing one, or any path when several formats are
    asked for), ``"-"`` for standard output, or an open stream. In a folder the files are named
    ``<stem>.snapshot.<ext>``, ``stem`` defaulting to the source's name without its extension.

    Raises:
        ConfigError: several formats to one file or stream, or an unknown format.
        TemplateError: a template fails; nothing is written.
        OutputError: a file cannot be written.
    """
    from customer_snapshot.pipeline import write_atomic

    formats = resolve_formats(format)
    data = _as_dict(snapshot)
    to_stream = output == "-" or hasattr(output, "write")
    if to_stream:
        if len(formats) != 1:
            raise ConfigError("format", ",".join(formats), "several formats need a folder")
        payload = render_bytes(
            data, formats[0], template=template, template_dir=template_dir, compact=True
        )
        if output == "-":
            sys.stdout.flush()
            sys.stdout.buffer.write(payload)
            sys.stdout.buffer.flush()
        elif isinstance(output, io.TextIOBase):
            if formats[0] == "docx":
                raise ConfigError("output", output, "a Word document cannot go to a text stream")
            output.write(payload.decode())
        else:
            output.write(payload)  # type: ignore[union-attr]
        return []
    target = Path(os.fspath(output))  # type: ignore[arg-type]
    as_folder = target.is_dir() or str(output).endswith(os.sep) or len(formats) > 1
    if stem is None:
        stem = str(data.get("source", {}).get("name") or "snapshot")
        stem = Path(stem).name.rsplit(".", 1)[0] or "snapshot"
    rendered = [
        (f, render_bytes(data, f, template=template, template_dir=template_dir)) for f in formats
    ]
    paths = [target / output_name(stem, f) if as_folder else target for f, _ in rendered]
    written: list[str] = []
    for path, (_, payload) in zip(paths, rendered, strict=True):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, payload)
        except OSError as exc:
            raise OutputError(str(path), exc.strerror or str(exc)) from None
        written.append(str(path))
    return written


class _CallableModule(types.ModuleType):
    """``customer_snapshot.render`` is both this package and DESIGN's ``render()`` function:
    importing the package binds it over the function's name, so the package itself calls
    :func:`render`."""

    def __call__(self, *args: Any, **kwargs: Any) -> list[str]:
        return render(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
