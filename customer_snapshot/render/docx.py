"""Word output (being written)."""

from __future__ import annotations

import os
from typing import Any

from customer_snapshot.errors import TemplateError

__all__ = ["render_docx"]


def render_docx(
    snapshot: dict[str, Any], *, template: str | os.PathLike[str] | None = None
) -> bytes:
    raise TemplateError("docx", "Word output is not written yet")
