"""HTML: one self-contained, print-friendly file (inline CSS and SVG, no external requests).

Transcript text is untrusted: the template is autoescaped, so ``<script>`` said in a call shows
as text.
"""

from __future__ import annotations

from typing import Any

from customer_snapshot.errors import TemplateError
from customer_snapshot.render.charts import talk_bars, timeline_points, topic_bands
from customer_snapshot.render.env import get_environment

__all__ = ["render_html"]


def render_html(snapshot: dict[str, Any], *, template_dir: str | None = None) -> str:
    """Render the snapshot JSON (as a dict) to a standalone HTML document."""
    import jinja2

    visuals = next(s for s in snapshot["sections"] if s["key"] == "visuals")
    charts = {c.get("data", {}).get("type"): c for c in visuals["items"]["charts"]}
    bars = talk_bars(charts["bar"]["data"]["series"], width=340) if "bar" in charts else []
    points = timeline_points(visuals["items"]["timeline"])
    bands = topic_bands(snapshot["topics"], float(snapshot["source"]["duration_seconds"]))
    env = get_environment("html", template_dir)
    try:
        html: str = env.get_template("snapshot.html.j2").render(
            snapshot=snapshot, bars=bars, points=points, bands=bands
        )
    except jinja2.TemplateError as exc:
        raise TemplateError("snapshot.html.j2", f"{type(exc).__name__}: {exc}") from None
    return html
