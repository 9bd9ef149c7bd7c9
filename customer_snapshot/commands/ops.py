"""Operations commands: ``metrics``, ``dashboard`` and ``health``.

Thin wrappers over :mod:`customer_snapshot.ops`: parse, call the library, print data on stdout
(or write the file asked for), return the exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from customer_snapshot.config import Config
from customer_snapshot.errors import ConfigError

__all__ = ["cmd_dashboard", "cmd_health", "cmd_metrics", "register"]


def register(subparsers: Any) -> None:
    """Add the ``metrics``, ``dashboard`` and ``health`` sub-commands."""
    p = subparsers.add_parser(
        "metrics", help="the recorded runs: a table, JSON, or Prometheus text format"
    )
    shape = p.add_mutually_exclusive_group()
    shape.add_argument(
        "--prometheus",
        action="store_true",
        help="Prometheus text format (for node-exporter's textfile collector)",
    )
    shape.add_argument("--json", action="store_true", help="the newest runs as JSON")
    p.add_argument(
        "-n", "--limit", type=int, default=20, metavar="N", help="how many runs (default 20)"
    )
    p.add_argument(
        "-o", "--output", metavar="FILE",
        help="write to FILE atomically instead of stdout (what a textfile collector needs)",
    )  # fmt: skip
    p.set_defaults(func=cmd_metrics)

    p = subparsers.add_parser(
        "dashboard", help="an HTML performance dashboard of the recorded runs"
    )
    p.add_argument(
        "-o", "--output", metavar="FILE", default="dashboard.html",
        help="the HTML file to write (default dashboard.html; - for stdout)",
    )  # fmt: skip
    p.add_argument(
        "--mode", choices=["summary", "comprehensive"], default="summary",
        help="summary: the essentials; comprehensive: every chart and table",
    )  # fmt: skip
    p.add_argument(
        "-n", "--limit", type=int, metavar="N",
        help="how many recent runs to chart (default 50 in summary, 500 in comprehensive mode)",
    )  # fmt: skip
    p.add_argument(
        "--serve", action="store_true",
        help="serve the dashboard on 127.0.0.1 (it refreshes itself as new runs are recorded)",
    )  # fmt: skip
    p.add_argument(
        "--port", type=int, default=8765, metavar="N", help="port for --serve (default 8765)"
    )
    p.set_defaults(func=cmd_dashboard)

    p = subparsers.add_parser(
        "health", help="check the install: NLP pipeline, rendering, data folder, memory"
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_health)


def _limit(value: int | None, default: int) -> int:
    if value is None:
        return default
    if value < 1:
        raise ConfigError("--limit", value, "must be at least 1")
    return value


def _emit(text: str, output: str | None) -> None:
    if output in (None, "-"):
        sys.stdout.write(text)
        return
    from customer_snapshot.errors import OutputError
    from customer_snapshot.pipeline import write_atomic

    try:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(output, text.encode())
    except OSError as exc:
        raise OutputError(output, exc.strerror or str(exc)) from None
    print(output, file=sys.stderr)


def _clock(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def cmd_metrics(args: argparse.Namespace, config: Config) -> int:
    """Print (or write) the recorded runs."""
    from customer_snapshot.ops.metrics import MetricsStore

    store = MetricsStore.for_config(config)
    limit = _limit(args.limit, 20)
    if args.prometheus:
        from customer_snapshot.ops.prometheus import render_prometheus

        _emit(render_prometheus(store), args.output)
        return 0
    runs = store.runs(limit)
    if args.json:
        payload = {
            "store": str(store.path),
            "totals": store.totals(),
            "runs": [r.to_dict() for r in runs],
        }
        _emit(json.dumps(payload, ensure_ascii=False) + "\n", args.output)
        return 0
    if not runs:
        _emit(f"no runs recorded yet in {store.path}\n", args.output)
        return 0
    header = (
        f"{'id':>5}  {'finished':19}  {'status':6}  {'KB':>8}  {'words':>8}  {'s':>7}  "
        f"{'peak MB':>7}  {'words/s':>8}  {'alerts':>6}  file"
    )
    lines = [header]
    for r in runs:
        size = None if r.source_bytes is None else r.source_bytes / 1024
        lines.append(
            f"{r.id:>5}  {_clock(r.finished_at):19}  {r.status:6}  {_num(size, ',.0f'):>8}  "
            f"{_num(r.words, ','):>8}  {_num(r.seconds, '.2f'):>7}  "
            f"{_num(r.peak_rss_mb, '.0f'):>7}  {_num(r.words_per_second, ',.0f'):>8}  "
            f"{r.alert_count:>6}  {r.source_name}"
        )
    _emit("\n".join(lines) + "\n", args.output)
    return 0


def cmd_dashboard(args: argparse.Namespace, config: Config) -> int:
    """Write the HTML dashboard, or serve it on 127.0.0.1."""
    from customer_snapshot.ops.dashboard import render_dashboard, serve_dashboard
    from customer_snapshot.ops.metrics import MetricsStore

    store = MetricsStore.for_config(config)
    limit = _limit(args.limit, 500 if args.mode == "comprehensive" else 50)
    if args.serve:
        if not 0 <= args.port <= 65535:
            raise ConfigError("--port", args.port, "must be between 0 and 65535")
        serve_dashboard(store, config=config, mode=args.mode, limit=limit, port=args.port)
        return 0
    html = render_dashboard(store, config=config, mode=args.mode, limit=limit)
    _emit(html, args.output)
    return 0


def cmd_health(args: argparse.Namespace, config: Config) -> int:
    """Run the health checks; exit 0 when healthy, 1 when not."""
    from customer_snapshot.ops.health import run_health_checks

    report = run_health_checks(config)
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(report.to_text())
    return 0 if report.healthy else 1
