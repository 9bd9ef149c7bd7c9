"""The performance dashboard: one self-contained HTML page drawn from the metrics store.

:func:`render_dashboard` returns the page (inline CSS, server-drawn SVG charts, a few lines of
script; no external requests, so it opens offline and can be mailed). It shows the recent
runs, the latest run's memory over time and per-stage time and memory, throughput and peak
memory against input size across runs (memory should stay flat as inputs grow), the memory
alerts, and recommendations derived from those figures (:func:`recommendations`).
:func:`serve_dashboard` serves it on 127.0.0.1; the served page polls ``/state`` and reloads
itself when a new run is recorded, so it follows a batch as it runs.

Modes: ``summary`` (the essentials) and ``comprehensive`` (adds stage times across runs,
the memory of the last runs overlaid, all warnings and failures, the store's totals).
"""

from __future__ import annotations

import functools
import json
import logging
import statistics
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from customer_snapshot.config import Config
from customer_snapshot.ops import charts
from customer_snapshot.ops.metrics import AlertRecord, MetricsStore, RunRecord, SampleRecord

__all__ = [
    "MODES",
    "DashboardData",
    "Recommendation",
    "collect",
    "recommendations",
    "render_dashboard",
    "serve_dashboard",
]

log = logging.getLogger(__name__)

MODES = ("summary", "comprehensive")
_STATUS_COLOR = {"ok": charts.PALETTE[0], "failed": "#dc2626"}
_LIMIT_COLOR = "#dc2626"


@dataclass(frozen=True)
class Recommendation:
    """One piece of advice drawn from the data.

    Attributes:
        level: ``good`` (a finding to keep), ``info``, ``warning`` or ``critical``.
        title: a short headline.
        detail: what the data shows and what to do.
    """

    level: str
    title: str
    detail: str


@dataclass
class DashboardData:
    """What the page shows, read from the store once."""

    store_path: Path
    mode: str
    runs: list[RunRecord]
    latest_samples: list[SampleRecord]
    alerts: list[AlertRecord]
    totals: dict[str, float]
    stored_runs: int
    limit_mb: float
    limit_source: str
    samples_run: RunRecord | None = None
    generated_at: float = field(default_factory=time.time)
    overlay: list[tuple[RunRecord, list[SampleRecord]]] = field(default_factory=list)

    @property
    def latest(self) -> RunRecord | None:
        """The newest run."""
        return self.runs[0] if self.runs else None

    @property
    def ok_runs(self) -> list[RunRecord]:
        """Runs that succeeded."""
        return [r for r in self.runs if r.status == "ok"]

    def state(self) -> dict[str, Any]:
        """What the live page compares to decide whether to reload."""
        return {"runs": self.stored_runs, "latest": self.latest.id if self.latest else None}


def collect(
    store: MetricsStore, *, config: Config, mode: str = "summary", limit: int = 50
) -> DashboardData:
    """Read what the dashboard needs from ``store``."""
    from customer_snapshot.memory.rss import effective_limit_mb

    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    runs = store.runs(limit)
    info = effective_limit_mb(config.memory_limit_mb)
    # The memory chart shows the newest run that has samples (monitoring may have been off).
    sampled = next((r for r in runs if r.sample_count), None)
    data = DashboardData(
        store_path=store.path,
        mode=mode,
        runs=runs,
        latest_samples=store.samples(sampled.id) if sampled else [],
        alerts=store.alerts(100 if mode == "comprehensive" else 20),
        totals=store.totals(),
        stored_runs=store.count(),
        limit_mb=info.limit_mb,
        limit_source=info.source,
        samples_run=sampled,
    )
    if mode == "comprehensive":
        with_samples = [r for r in runs if r.sample_count > 1][:5]
        data.overlay = [(r, store.samples(r.id)) for r in with_samples]
    return data


# -- figures ---------------------------------------------------------------------------------


def _mb(v: float) -> str:
    return f"{v:,.0f} MB" if v >= 10 else f"{v:.1f} MB"


def _size(n: float) -> str:
    """A byte count for people (binary units).

    >>> _size(18886), _size(524369), _size(1024**2), _size(3.5 * 1024**3), _size(512)
    ('18 KB', '512 KB', '1 MB', '3.5 GB', '512 B')
    """
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            v = n / size
            return f"{v:.0f} {unit}" if v >= 10 or v == int(v) else f"{v:.1f} {unit}"
    return f"{n:.0f} B"


def _size_ticks(lo: float, hi: float) -> list[float]:
    """Ticks for a log axis of byte counts: 1, 10 and 100 of KB, MB and GB.

    >>> [_size(t) for t in _size_ticks(18886, 4 * 1024**2)]
    ['10 KB', '100 KB', '1 MB', '10 MB']
    """
    steps = [u * m for u in (1, 1024, 1024**2, 1024**3) for m in (1, 10, 100)]
    below = [t for t in steps if t <= lo] or steps[:1]
    above = [t for t in steps if t >= hi] or steps[-1:]
    ticks = [t for t in steps if below[-1] <= t <= above[0]]
    return [float(t) for t in (ticks if len(ticks) > 1 else [ticks[0], ticks[0] * 10])]


def _seconds(v: float) -> str:
    if v >= 120:
        return f"{v / 60:.1f} min"
    return f"{v:.2f} s" if v < 10 else f"{v:.0f} s"


def _flatness(runs: list[RunRecord]) -> tuple[float, float, float, float] | None:
    """(smallest input, largest input, peak at the smallest, slope MB per MB of input)."""
    pts = [
        (r.source_bytes / 1024**2, r.peak_rss_mb)
        for r in runs
        if r.source_bytes and r.peak_rss_mb is not None
    ]
    if len(pts) < 3:
        return None
    xs = [x for x, _ in pts]
    ys = [y for _, y in pts]
    if max(xs) < 2 * min(xs):
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in pts) / var if var else 0.0
    smallest = min(pts)
    return min(xs), max(xs), smallest[1], slope


def recommendations(data: DashboardData) -> list[Recommendation]:
    """Advice from the recorded figures: memory headroom, growth with input size, alerts,
    failures, where the time goes, throughput, warnings, monitoring and the model."""
    out: list[Recommendation] = []
    runs, ok = data.runs, data.ok_runs
    if not runs:
        return out
    # Each run against the limit it ran under (MEMORY_LIMIT_MB may differ between runs).
    shares = [
        (r.peak_rss_mb / (r.memory_limit_mb or data.limit_mb), r.peak_rss_mb, r)
        for r in runs
        if r.peak_rss_mb is not None and (r.memory_limit_mb or data.limit_mb)
    ]
    if shares:
        share, top, worst = max(shares, key=lambda t: t[0])
        limit = worst.memory_limit_mb or data.limit_mb
        if share >= 0.9:
            out.append(Recommendation(
                "critical", "Peak memory at the limit",
                f"Run #{worst.id} ({Path(worst.source_name).name}) peaked at {_mb(top)}, "
                f"{share:.0%} of its {_mb(limit)} limit. Run batches with fewer workers "
                "(--workers 1) or --low-memory, lower CHUNK_SIZE, or raise MEMORY_LIMIT_MB if "
                "the machine has the memory.",
            ))  # fmt: skip
        elif share >= 0.8:
            out.append(Recommendation(
                "warning", "Peak memory near the limit",
                f"Run #{worst.id} ({Path(worst.source_name).name}) peaked at {_mb(top)}, "
                f"{share:.0%} of its {_mb(limit)} limit. Use fewer workers (--workers) or "
                "--low-memory for batches, or raise MEMORY_LIMIT_MB, before inputs grow further.",
            ))  # fmt: skip
        elif share < 0.4 and len(ok) >= 3:
            spare = int(limit // max(top, 1.0))
            out.append(Recommendation(
                "good", "Plenty of memory headroom",
                f"Peaks stay at or below {_mb(top)}, {share:.0%} of the {_mb(limit)} limit: "
                f"about {spare} runs of this size fit in it, so batch mode can use more "
                "workers (each worker is a separate process with its own copy of the model).",
            ))  # fmt: skip
    flat = _flatness(ok)
    if flat is not None:
        lo, hi, base, slope = flat
        growth = slope * (hi - lo)
        if growth > max(50.0, 0.25 * base):
            out.append(Recommendation(
                "warning", "Memory grows with input size",
                f"Peak memory rises by about {slope:,.1f} MB per MB of input ({growth:,.0f} MB "
                f"from {lo:.2g} MB to {hi:.2g} MB inputs). Check STREAMING_THRESHOLD_MB and "
                "CHUNK_SIZE, and report it: memory is meant to stay flat.",
            ))  # fmt: skip
        else:
            out.append(Recommendation(
                "good", "Memory stays flat as inputs grow",
                f"Across inputs from {lo:.2g} MB to {hi:.2g} MB, peak memory changes by "
                f"{growth:+,.0f} MB ({slope:+.2f} MB per MB of input).",
            ))  # fmt: skip
    critical = [a for a in data.alerts if a.level == "critical"]
    if critical:
        out.append(Recommendation(
            "critical", f"{len(critical)} critical memory alert(s)",
            f"Latest: {critical[0].message}. See the alerts below; the limit in force is "
            f"{_mb(data.limit_mb)} ({data.limit_source}).",
        ))  # fmt: skip
    failed = [r for r in runs if r.status != "ok"]
    if failed:
        out.append(Recommendation(
            "warning", f"{len(failed)} of {len(runs)} recent runs failed",
            f"Latest failure, {failed[0].source_name}: {failed[0].error or 'no message'}. "
            "`customer-snapshot validate FILE` lists a transcript's problems with line numbers.",
        ))  # fmt: skip
    out += _time_advice(ok)
    warned = [r for r in ok if r.warnings]
    if len(warned) >= max(2, len(ok) // 3):
        out.append(Recommendation(
            "info", f"{len(warned)} runs had reader warnings",
            f"For example {warned[0].source_name}: {warned[0].warnings[0]}. Exporters differ; "
            "`customer-snapshot validate --json FILE` shows what was skipped.",
        ))  # fmt: skip
    if runs and not any(r.sample_count for r in runs):
        out.append(Recommendation(
            "info", "No memory samples recorded",
            "ENABLE_MEMORY_MONITORING is off for these runs, so memory over time and alerts "
            "are missing; set it to true to record them.",
        ))  # fmt: skip
    blank = [r for r in runs if r.model and r.model.startswith("blank")]
    if blank:
        out.append(Recommendation(
            "critical", "No trained spaCy pipeline",
            f"{len(blank)} runs used the rules-only fallback, which misses names and places. "
            "Install one: pip install 'customer-snapshot[model]'.",
        ))  # fmt: skip
    return out


def _time_advice(ok: list[RunRecord]) -> list[Recommendation]:
    out: list[Recommendation] = []
    stage_sums: dict[str, float] = {}
    for r in ok:
        for name, s in r.stages.items():
            stage_sums[name] = stage_sums.get(name, 0.0) + (s.get("seconds") or 0.0)
    total = sum(stage_sums.values())
    if total > 0:
        name, top = max(stage_sums.items(), key=lambda kv: kv[1])
        if top / total >= 0.6:
            hint = {
                "analyze": "it is spaCy's work: batch mode spreads files over processes "
                "(--workers), and the result cache skips files already done.",
                "render": "Word output costs most; ask for -f json or md when that is enough.",
                "read": "reading should be cheap: check the disk or the network mount.",
            }.get(name, "")
            out.append(Recommendation(
                "info", f"Most time goes to {name}",
                f"{name} takes {top / total:.0%} of the stage time of the recent runs; {hint}",
            ))  # fmt: skip
    rates = [(r.words or 0, r.words_per_second) for r in ok if r.words_per_second]
    if len(rates) >= 4:
        rates.sort()
        half = len(rates) // 2
        small = statistics.median(w for _, w in rates[:half])
        large = statistics.median(w for _, w in rates[half:])
        if small and large < 0.7 * small:
            out.append(Recommendation(
                "warning", "Throughput drops on large inputs",
                f"Median {large:,.0f} words/s on the larger half of the inputs against "
                f"{small:,.0f} on the smaller half.",
            ))  # fmt: skip
    return out


# -- charts ----------------------------------------------------------------------------------


def _memory_chart(data: DashboardData) -> str | None:
    samples = data.latest_samples
    if len(samples) < 2:
        return None
    t0 = samples[0].timestamp
    points = [(s.timestamp - t0, s.rss_mb) for s in samples]
    top = max(y for _, y in points)
    hlines = []
    if data.limit_mb <= 8 * top:
        hlines.append((data.limit_mb, f"limit {_mb(data.limit_mb)}", _LIMIT_COLOR))
    run = data.samples_run
    markers = []
    if run is not None:
        markers = [
            (a.timestamp - t0, a.message, _LIMIT_COLOR if a.level == "critical" else "#d97706")
            for a in data.alerts
            if a.run_id == run.id
        ]
    return charts.line_chart(
        [charts.Series("resident memory (RSS)", points)],
        x_label="seconds since the run started",
        y_label="RSS (MB)",
        hlines=hlines,
        markers=markers,
        width=960,
        height=260,
    )


def _stage_charts(run: RunRecord | None) -> tuple[str, str] | None:
    if run is None or not run.stages:
        return None
    names = list(run.stages)
    colors = {n: charts.PALETTE[i % len(charts.PALETTE)] for i, n in enumerate(names)}
    secs = [
        charts.Bar(n, s.get("seconds") or 0.0, _seconds(s.get("seconds") or 0.0), colors[n])
        for n, s in run.stages.items()
    ]
    mem = [
        charts.Bar(n, s.get("peak_rss_mb") or 0.0, _mb(s.get("peak_rss_mb") or 0.0), colors[n])
        for n, s in run.stages.items()
    ]
    return (
        charts.bar_chart(secs, value_label="seconds"),
        charts.bar_chart(mem, value_label="peak RSS at the end of the stage (MB)"),
    )


def _across_runs(data: DashboardData) -> tuple[str, str] | None:
    runs = [r for r in data.runs if r.source_bytes]
    if not runs:
        return None
    legend = [("ok", _STATUS_COLOR["ok"])]
    if any(r.status != "ok" for r in runs):
        legend.append(("failed", _STATUS_COLOR["failed"]))
    mem = [
        charts.Point(
            r.source_bytes or 1,
            r.peak_rss_mb,
            f"{r.source_name}: {_size(r.source_bytes or 0)}, peak {_mb(r.peak_rss_mb)}",
            _STATUS_COLOR.get(r.status, _STATUS_COLOR["failed"]),
        )
        for r in runs
        if r.peak_rss_mb is not None
    ]
    top = max((p.y for p in mem), default=0.0)
    hlines = []
    if mem and data.limit_mb <= 8 * top:
        hlines.append((data.limit_mb, f"limit {_mb(data.limit_mb)}", _LIMIT_COLOR))
    speed = [
        charts.Point(
            r.source_bytes or 1,
            r.words_per_second,
            f"{r.source_name}: {_size(r.source_bytes or 0)}, {r.words_per_second:,.0f} words/s",
        )
        for r in runs
        if r.words_per_second and r.status == "ok"
    ]
    return (
        charts.scatter_chart(
            mem, x_label="input size (log scale)", y_label="peak RSS (MB)", log_x=True,
            x_fmt=_size, hlines=hlines, legend=legend, x_ticks=_size_ticks,
        ),
        charts.scatter_chart(
            speed, x_label="input size (log scale)", y_label="words per second", log_x=True,
            x_fmt=_size, x_ticks=_size_ticks,
        ),
    )  # fmt: skip


def _stages_over_runs(data: DashboardData) -> str | None:
    runs = [r for r in reversed(data.ok_runs[:60]) if r.stages]
    if len(runs) < 2:
        return None
    keys: list[str] = []
    for r in runs:
        keys += [k for k in r.stages if k not in keys]
    bars = [
        charts.Bar(
            f"#{r.id} {Path(r.source_name).name}",
            r.seconds or 0.0,
            parts=[(k, r.stages[k].get("seconds") or 0.0) for k in keys if k in r.stages],
        )
        for r in runs
    ]
    return charts.stacked_bar_chart(bars, keys=keys, y_label="seconds per stage", fmt=_plain_s)


def _plain_s(v: float) -> str:
    return f"{v:g} s" if v else "0"


def _overlay_chart(data: DashboardData) -> str | None:
    if len(data.overlay) < 2:
        return None
    series = []
    for i, (run, samples) in enumerate(data.overlay):
        t0 = samples[0].timestamp
        series.append(
            charts.Series(
                f"#{run.id} {Path(run.source_name).name}",
                [(s.timestamp - t0, s.rss_mb) for s in samples],
                charts.PALETTE[i % len(charts.PALETTE)],
            )
        )
    return charts.line_chart(
        series, x_label="seconds since the run started", y_label="RSS (MB)", width=960
    )


# -- the page --------------------------------------------------------------------------------


@functools.cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["mb"] = lambda v: "-" if v is None else _mb(v)
    env.filters["size"] = lambda v: "-" if v is None else _size(v)
    env.filters["secs"] = lambda v: "-" if v is None else _seconds(v)
    env.filters["when"] = lambda ts: time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))
    env.filters["basename"] = lambda p: Path(p).name or p
    return env


def _warning_counts(runs: list[RunRecord]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for r in runs:
        for w in r.warnings:
            counts[w] = counts.get(w, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:30]


def render_page(data: DashboardData, *, live: bool = False, refresh_seconds: float = 3.0) -> str:
    """The HTML page of ``data``; ``live`` adds the polling script (served pages)."""
    from markupsafe import Markup

    def safe(svg: str | None) -> Markup | None:
        # The chart functions escape every data text they write.
        return None if svg is None else Markup(svg)

    # A failed run has no stages: chart the newest run that has.
    stages_run = next((r for r in data.runs if r.stages), None)
    stages = _stage_charts(stages_run)
    across = _across_runs(data)
    ok = data.ok_runs
    rates = [r.words_per_second for r in ok if r.words_per_second]
    peaks = [r.peak_rss_mb for r in data.runs if r.peak_rss_mb is not None]
    tiles = {
        "runs": data.stored_runs,
        "failed": sum(1 for r in data.runs if r.status != "ok"),
        "median_rate": statistics.median(rates) if rates else None,
        "max_peak": max(peaks) if peaks else None,
        "words": data.totals.get("words", 0.0),
        "alerts": len(data.alerts),
    }
    template = _environment().get_template("dashboard.html.j2")
    return str(
        template.render(
            data=data,
            latest=data.latest,
            tiles=tiles,
            recs=recommendations(data),
            memory_chart=safe(_memory_chart(data)),
            stages_run=stages_run,
            stage_seconds=safe(stages[0]) if stages else None,
            stage_memory=safe(stages[1]) if stages else None,
            memory_vs_size=safe(across[0]) if across else None,
            rate_vs_size=safe(across[1]) if across else None,
            stages_over_runs=safe(_stages_over_runs(data)),
            overlay=safe(_overlay_chart(data)),
            warning_counts=_warning_counts(data.runs),
            table_rows=data.runs if data.mode == "comprehensive" else data.runs[:15],
            comprehensive=data.mode == "comprehensive",
            live=live,
            state=data.state(),
            refresh_ms=int(refresh_seconds * 1000),
        )
    )


def render_dashboard(
    store: MetricsStore, *, config: Config, mode: str = "summary", limit: int = 50
) -> str:
    """The dashboard of ``store`` as one self-contained HTML page."""
    return render_page(collect(store, config=config, mode=mode, limit=limit))


def serve_dashboard(
    store: MetricsStore,
    *,
    config: Config,
    mode: str = "summary",
    limit: int = 50,
    port: int = 8765,
    ready: Any = None,
) -> None:
    """Serve the dashboard on ``127.0.0.1:port`` until interrupted (Ctrl-C).

    ``GET /`` is the page, drawn afresh from the store at each request; ``GET /state`` is a
    small JSON object that changes when a run is recorded (the page polls it every few seconds
    and reloads). Port 0 picks a free port. The address is printed on stderr.

    Args:
        ready: called with the server once it listens (tests use it to learn the port).
    """
    import sys

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                data = collect(store, config=config, mode=mode, limit=limit)
                self._send(200, "text/html; charset=utf-8", render_page(data, live=True))
            elif path == "/state":
                newest = store.runs(1)
                state = {"runs": store.count(), "latest": newest[0].id if newest else None}
                self._send(200, "application/json", json.dumps(state))
            else:
                self._send(404, "text/plain; charset=utf-8", "not found\n")

        def _send(self, code: int, kind: str, body: str) -> None:
            payload = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("dashboard: " + format, *args)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    host, bound = server.server_address[:2]
    print(f"dashboard on http://{host!s}:{bound}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
