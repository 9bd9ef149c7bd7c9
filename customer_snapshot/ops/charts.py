"""Small SVG charts for the dashboard: line, scatter, horizontal bars and stacked bars.

Each function returns one ``<svg>`` element as a string, drawn on the server so the page needs
no script and prints as it looks. Every text that comes from data (file names, stage names) is
escaped here; callers mark the result safe for the template. Points carry a ``<title>``, which
browsers show as a tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

__all__ = [
    "PALETTE",
    "Bar",
    "Point",
    "Series",
    "bar_chart",
    "line_chart",
    "log_ticks",
    "nice_ticks",
    "scatter_chart",
    "stacked_bar_chart",
]

PALETTE = ("#2563eb", "#0d9488", "#d97706", "#7c3aed", "#db2777", "#475569", "#65a30d")
_FONT = 'font-family="system-ui, sans-serif" font-size="11"'
_AXIS = "#94a3b8"
_GRID = "#e2e8f0"
_TEXT = "#334155"

Formatter = Callable[[float], str]


def _plain(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.0f}" if v == int(v) else f"{v:.1f}"
    return f"{v:g}"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) covering ``lo``..``hi``.

    >>> nice_ticks(0, 187)
    [0.0, 50.0, 100.0, 150.0, 200.0]
    >>> nice_ticks(0, 1)
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> nice_ticks(5, 5)
    [4.0, 5.0, 6.0]
    """
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        return [float(lo - 1), float(lo), float(lo + 1)]
    raw = (hi - lo) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    v = first
    while v < hi + step * 0.999:
        ticks.append(float(round(v, 10)))
        v += step
    return ticks


def log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten covering ``lo``..``hi`` (both positive).

    >>> log_ticks(3_000, 2_000_000)
    [1000.0, 10000.0, 100000.0, 1000000.0, 10000000.0]
    """
    a = math.floor(math.log10(max(lo, 1e-12)))
    b = math.ceil(math.log10(max(hi, lo, 1e-12)))
    if a == b:
        b += 1
    return [10.0**e for e in range(a, b + 1)]


@dataclass(frozen=True)
class _Frame:
    """The plot area and the mapping from data to pixels."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_ticks: list[float]
    y_ticks: list[float]
    log_x: bool = False

    @property
    def x0(self) -> float:
        return self._tx(self.x_ticks[0])

    def _tx(self, v: float) -> float:
        return math.log10(max(v, 1e-12)) if self.log_x else v

    def px(self, x: float) -> float:
        lo, hi = self._tx(self.x_ticks[0]), self._tx(self.x_ticks[-1])
        span = (hi - lo) or 1.0
        return self.left + (self._tx(x) - lo) / span * (self.width - self.left - self.right)

    def py(self, y: float) -> float:
        lo, hi = self.y_ticks[0], self.y_ticks[-1]
        span = (hi - lo) or 1.0
        return self.height - self.bottom - (y - lo) / span * (self.height - self.top - self.bottom)


def _open(width: int, height: int, label: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(label)}" {_FONT}>'
    ]


def _axes(f: _Frame, x_fmt: Formatter, y_fmt: Formatter, x_label: str, y_label: str) -> list[str]:
    out = []
    x_left, x_right = f.left, f.width - f.right
    for t in f.y_ticks:
        y = f.py(t)
        out.append(
            f'<line x1="{x_left}" y1="{y:.1f}" x2="{x_right}" y2="{y:.1f}" stroke="{_GRID}"/>'
        )
        out.append(
            f'<text x="{x_left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{_TEXT}">'
            f"{escape(y_fmt(t))}</text>"
        )
    base = f.height - f.bottom
    for t in f.x_ticks:
        x = f.px(t)
        out.append(
            f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" stroke="{_AXIS}"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle" fill="{_TEXT}">'
            f"{escape(x_fmt(t))}</text>"
        )
    out.append(f'<line x1="{x_left}" y1="{base}" x2="{x_right}" y2="{base}" stroke="{_AXIS}"/>')
    out.append(
        f'<text x="{(x_left + x_right) / 2:.1f}" y="{f.height - 4}" text-anchor="middle" '
        f'fill="{_TEXT}">{escape(x_label)}</text>'
    )
    out.append(
        f'<text x="12" y="{(f.top + base) / 2:.1f}" text-anchor="middle" fill="{_TEXT}" '
        f'transform="rotate(-90 12 {(f.top + base) / 2:.1f})">{escape(y_label)}</text>'
    )
    return out


def _hline(f: _Frame, y: float, label: str, color: str) -> list[str]:
    py = f.py(y)
    return [
        f'<line x1="{f.left}" y1="{py:.1f}" x2="{f.width - f.right}" y2="{py:.1f}" '
        f'stroke="{color}" stroke-dasharray="6 4" stroke-width="1.5"/>',
        f'<text x="{f.width - f.right - 4}" y="{py - 5:.1f}" text-anchor="end" fill="{color}">'
        f"{escape(label)}</text>",
    ]


@dataclass
class Series:
    """One line of a line chart."""

    label: str
    points: list[tuple[float, float]]
    color: str = PALETTE[0]


@dataclass
class Point:
    """One point of a scatter chart."""

    x: float
    y: float
    title: str
    color: str = PALETTE[0]


@dataclass
class Bar:
    """One bar of a bar chart (or one row of a stacked bar chart, with ``parts``)."""

    label: str
    value: float
    text: str = ""
    color: str = PALETTE[0]
    parts: list[tuple[str, float]] = field(default_factory=list)


def _legend(f: _Frame, items: Sequence[tuple[str, str]]) -> list[str]:
    out = []
    x = f.left
    for label, color in items:
        out.append(f'<rect x="{x}" y="6" width="10" height="10" rx="2" fill="{color}"/>')
        out.append(f'<text x="{x + 14}" y="15" fill="{_TEXT}">{escape(label)}</text>')
        x += 24 + 6 * len(label)
    return out


def line_chart(
    series: Sequence[Series],
    *,
    x_label: str,
    y_label: str,
    width: int = 640,
    height: int = 240,
    y_fmt: Formatter = _plain,
    x_fmt: Formatter = _plain,
    hlines: Sequence[tuple[float, str, str]] = (),
    markers: Sequence[tuple[float, str, str]] = (),
    y_min: float | None = 0.0,
) -> str:
    """Lines over a shared x axis; ``hlines`` are dashed levels (value, label, colour) and
    ``markers`` vertical lines (x, tooltip, colour)."""
    xs = [x for s in series for x, _ in s.points] or [0.0, 1.0]
    ys = [y for s in series for _, y in s.points] or [0.0, 1.0]
    ys += [v for v, _, _ in hlines]
    lo = min(ys) if y_min is None else min(y_min, *ys)
    f = _Frame(
        width, height, 56, 16, 26 if len(series) > 1 else 14, 34,
        nice_ticks(min(xs), max(xs), 7), nice_ticks(lo, max(ys) * 1.05, 5),
    )  # fmt: skip
    out = _open(width, height, y_label + " by " + x_label)
    out += _axes(f, x_fmt, y_fmt, x_label, y_label)
    for value, label, color in hlines:
        out += _hline(f, value, label, color)
    for x, title, color in markers:
        px = f.px(x)
        out.append(
            f'<line x1="{px:.1f}" y1="{f.top}" x2="{px:.1f}" y2="{height - f.bottom}" '
            f'stroke="{color}" stroke-width="1.5"><title>{escape(title)}</title></line>'
        )
    for s in series:
        if not s.points:
            continue
        path = " ".join(f"{f.px(x):.1f},{f.py(y):.1f}" for x, y in s.points)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{s.color}" stroke-width="2" '
            f'stroke-linejoin="round"><title>{escape(s.label)}</title></polyline>'
        )
        if len(s.points) <= 60:
            for x, y in s.points:
                out.append(
                    f'<circle cx="{f.px(x):.1f}" cy="{f.py(y):.1f}" r="2.5" fill="{s.color}">'
                    f"<title>{escape(s.label)}: {escape(y_fmt(y))} at {escape(x_fmt(x))}"
                    "</title></circle>"
                )
    if len(series) > 1:
        out += _legend(f, [(s.label, s.color) for s in series])
    out.append("</svg>")
    return "".join(out)


def scatter_chart(
    points: Sequence[Point],
    *,
    x_label: str,
    y_label: str,
    width: int = 460,
    height: int = 260,
    log_x: bool = False,
    x_fmt: Formatter = _plain,
    y_fmt: Formatter = _plain,
    hlines: Sequence[tuple[float, str, str]] = (),
    legend: Sequence[tuple[str, str]] = (),
    x_ticks: Callable[[float, float], list[float]] | None = None,
) -> str:
    """Points (with tooltips); ``log_x`` for sizes spanning decades; ``x_ticks(lo, hi)``
    chooses the x ticks (default: powers of ten on a log axis, round numbers otherwise)."""
    xs = [p.x for p in points] or [1.0, 10.0]
    ys = [p.y for p in points] or [0.0, 1.0]
    ys += [v for v, _, _ in hlines]
    if x_ticks is None:
        x_ticks = log_ticks if log_x else nice_ticks
    ticks = x_ticks(min(xs), max(xs))
    f = _Frame(
        width, height, 56, 16, 26 if legend else 14, 34,
        ticks, nice_ticks(min(0.0, *ys), max(ys) * 1.1, 5), log_x,
    )  # fmt: skip
    out = _open(width, height, y_label + " by " + x_label)
    out += _axes(f, x_fmt, y_fmt, x_label, y_label)
    for value, label, color in hlines:
        out += _hline(f, value, label, color)
    for p in points:
        out.append(
            f'<circle cx="{f.px(p.x):.1f}" cy="{f.py(p.y):.1f}" r="4.5" fill="{p.color}" '
            f'fill-opacity="0.75" stroke="#fff" stroke-width="1"><title>{escape(p.title)}'
            "</title></circle>"
        )
    out += _legend(f, legend)
    out.append("</svg>")
    return "".join(out)


def bar_chart(
    bars: Sequence[Bar],
    *,
    value_label: str,
    width: int = 460,
    bar_height: int = 22,
    fmt: Formatter = _plain,
) -> str:
    """Horizontal bars, one per row, the value (or ``text``) written at the bar's end."""
    label_w = min(160, 20 + 7 * max((len(b.label) for b in bars), default=4))
    height = 30 + len(bars) * (bar_height + 8) + 20
    top = 10
    hi = max((b.value for b in bars), default=1.0) or 1.0
    ticks = nice_ticks(0.0, hi, 5)
    f = _Frame(width, height, label_w, 60, top, 30, ticks, [0.0, 1.0])
    out = _open(width, height, value_label)
    for t in ticks:
        x = f.px(t)
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 30}" stroke="{_GRID}"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{height - 16}" text-anchor="middle" fill="{_TEXT}">'
            f"{escape(fmt(t))}</text>"
        )
    out.append(
        f'<text x="{(label_w + width - 60) / 2:.1f}" y="{height - 2}" text-anchor="middle" '
        f'fill="{_TEXT}">{escape(value_label)}</text>'
    )
    for i, b in enumerate(bars):
        y = top + 8 + i * (bar_height + 8)
        w = max(1.0, f.px(b.value) - label_w)
        text = b.text or fmt(b.value)
        out.append(
            f'<text x="{label_w - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" '
            f'fill="{_TEXT}">{escape(b.label)}</text>'
        )
        out.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" rx="3" '
            f'fill="{b.color}"><title>{escape(b.label)}: {escape(text)}</title></rect>'
        )
        out.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}" fill="{_TEXT}">'
            f"{escape(text)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def stacked_bar_chart(
    bars: Sequence[Bar],
    *,
    keys: Sequence[str],
    y_label: str,
    width: int = 960,
    height: int = 260,
    fmt: Formatter = _plain,
) -> str:
    """Vertical bars, one per item (oldest left), each split into ``keys`` parts."""
    totals = [sum(v for _, v in b.parts) for b in bars] or [1.0]
    colors = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}
    f = _Frame(
        width, height, 56, 16, 26, 34, [0.0, float(max(1, len(bars)))],
        nice_ticks(0.0, max(totals) * 1.05, 5),
    )  # fmt: skip
    out = _open(width, height, y_label)
    out += _axes(f, lambda _: "", fmt, "runs, oldest first", y_label)
    slot = (width - f.left - f.right) / max(1, len(bars))
    bw = max(2.0, min(28.0, slot * 0.7))
    for i, b in enumerate(bars):
        x = f.left + slot * i + (slot - bw) / 2
        if slot >= 24:
            out.append(
                f'<text x="{x + bw / 2:.1f}" y="{height - f.bottom + 14}" text-anchor="middle" '
                f'fill="{_TEXT}">{escape(b.label.split(" ", 1)[0])}</text>'
            )
        acc = 0.0
        for key, v in b.parts:
            y1, y0 = f.py(acc + v), f.py(acc)
            out.append(
                f'<rect x="{x:.1f}" y="{y1:.1f}" width="{bw:.1f}" height="{max(0.0, y0 - y1):.1f}" '
                f'fill="{colors.get(key, PALETTE[-1])}"><title>{escape(b.label)} - {escape(key)}: '
                f"{escape(fmt(v))}</title></rect>"
            )
            acc += v
    out += _legend(f, [(k, colors[k]) for k in keys])
    out.append("</svg>")
    return "".join(out)
