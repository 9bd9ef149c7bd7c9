"""Chart geometry for the renderers: plain numbers in, shapes out (no plotting library).

The HTML template draws these as inline SVG; the Word renderer will draw the same data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

__all__ = ["talk_bars", "timeline_points", "topic_bands"]


def talk_bars(series: list[dict[str, Any]], *, width: float = 420.0) -> list[dict[str, Any]]:
    """Bars for talk time per speaker: ``{name, seconds, share, length}``, longest first.

    >>> [b["length"] for b in talk_bars([{"name": "A", "seconds": 30, "share": 0.75},
    ...                                  {"name": "B", "seconds": 10, "share": 0.25}], width=100)]
    [100.0, 33.3]
    """
    if not series:
        return []
    top = max(float(s["seconds"]) for s in series) or 1.0
    rows = sorted(series, key=lambda s: -float(s["seconds"]))
    return [{**s, "length": round(width * float(s["seconds"]) / top, 1)} for s in rows]


def timeline_points(items: list[dict[str, Any]], *, width: float = 640.0) -> list[dict[str, Any]]:
    """Milestones placed on a line by date: ``{date, label, x, marker}`` (x from 0 to ``width``).

    ``marker`` is the number(s) drawn above the line: milestones of the same day share one
    marker ("4, 5") on the first of them, and the others get ``""`` (nothing drawn twice).

    >>> pts = timeline_points([{"normalized": "2025-01-01", "value": "a"},
    ...                        {"normalized": "2025-01-11", "value": "b"},
    ...                        {"normalized": "2025-01-11", "value": "c"}], width=100)
    >>> [(p["x"], p["marker"]) for p in pts]
    [(0.0, '1'), (100.0, '2, 3'), (100.0, '')]
    """
    dated = []
    for item in items:
        try:
            dated.append((date.fromisoformat(str(item.get("normalized"))[:10]), item))
        except ValueError:
            continue
    if not dated:
        return []
    dated.sort(key=lambda t: t[0])
    first, last = dated[0][0], dated[-1][0]
    span = max(1, (last - first).days)
    points = [
        {
            "date": d.isoformat(),
            "label": item.get("value", ""),
            "x": round(width * (d - first).days / span, 1),
            "marker": "",
        }
        for d, item in dated
    ]
    by_day: dict[str, list[int]] = {}
    for n, p in enumerate(points, 1):
        by_day.setdefault(p["date"], []).append(n)
    for numbers in by_day.values():
        points[numbers[0] - 1]["marker"] = ", ".join(map(str, numbers))
    return points


def topic_bands(
    topics: list[dict[str, Any]], duration: float, *, width: float = 640.0
) -> list[dict[str, Any]]:
    """Topic segments as bands across the call: ``{title, start, end, x, w}``."""
    if not topics or duration <= 0:
        return []
    out = []
    for t in topics:
        x = width * max(0.0, float(t["start"])) / duration
        w = max(2.0, width * (float(t["end"]) - float(t["start"])) / duration)
        out.append({**t, "x": round(x, 1), "w": round(min(w, width - x), 1)})
    return out
