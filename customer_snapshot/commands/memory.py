"""``customer-snapshot memory``: status, monitor, gc and a stage-by-stage profile.

``memory status``                       the process's and the machine's memory against the limit
``memory monitor [--duration S] [--interval S] [--pid PID]``
                                        sample memory in the background; alerts on stderr
``memory gc``                           a full garbage collection and cache cleanup, reported
``memory profile INPUT [-f FORMAT]``    process one transcript (outputs discarded) and show
                                        each stage's time and memory

Each takes ``--json`` for machine-readable output on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Collection
from typing import Any

from customer_snapshot.config import Config
from customer_snapshot.errors import ConfigError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``memory`` and its subcommands to the CLI."""
    p = subparsers.add_parser(
        "memory", help="memory status, background monitoring, garbage collection, stage profile"
    )
    sub = p.add_subparsers(dest="memory_command", metavar="SUBCOMMAND", parser_class=type(p))

    s = sub.add_parser("status", help="current, peak and available memory against the limit")
    s.add_argument("--json", action="store_true", help="print the status as JSON")
    s.set_defaults(func=cmd_status)

    m = sub.add_parser("monitor", help="sample memory for a while; alerts go to stderr")
    m.add_argument("--duration", type=float, default=10.0, metavar="S", help="seconds (10)")
    m.add_argument("--interval", type=float, default=1.0, metavar="S", help="seconds (1)")
    m.add_argument("--pid", type=int, help="watch this process instead of the monitor itself")
    m.add_argument("--json", action="store_true", help="JSON lines: samples, alerts, summary")
    m.set_defaults(func=cmd_monitor)

    g = sub.add_parser("gc", help="run a full garbage collection and report what it freed")
    g.add_argument("--json", action="store_true", help="print the report as JSON")
    g.set_defaults(func=cmd_gc)

    r = sub.add_parser("profile", help="each stage's time and memory while processing INPUT")
    r.add_argument("input", metavar="INPUT", help="transcript file (.vtt, .srt) or - for stdin")
    r.add_argument(
        "-f", "--format", choices=["md", "html", "docx", "json", "all"], default="all",
        help="formats rendered in the render stage (all); nothing is kept",
    )  # fmt: skip
    r.add_argument("--memory-limit", type=float, metavar="MB", help="memory limit of the run")
    r.add_argument("--json", action="store_true", help="print the profile as JSON")
    r.set_defaults(func=cmd_profile)


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def _mb(value: float) -> str:
    from customer_snapshot.memory.sizing import format_bytes

    return format_bytes(value * 1024 * 1024)


def _table(rows: list[list[str]], right: Collection[int] = ()) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


# -- status ---------------------------------------------------------------------------------

_SOURCES = {"config": "MEMORY_LIMIT_MB", "cgroup": "container", "system": "physical RAM"}


def status_lines(status: dict[str, Any], thresholds: Any = None) -> list[str]:
    """The status table: current, peak, available, system %, limit, usage against the spec's
    thresholds."""
    from customer_snapshot.memory.monitor import AlertThresholds

    t = thresholds or AlertThresholds()
    usage = float(status["usage_ratio"])
    avail = float(status["available_mb"])

    def above(value: float, warning: float, critical: float) -> str:
        return "CRITICAL" if value > critical else "WARNING" if value > warning else "ok"

    avail_state = (
        "CRITICAL"
        if avail < t.available_critical_mb
        else "WARNING"
        if avail < t.available_warning_mb
        else "ok"
    )
    source = _SOURCES.get(str(status["limit_source"]), str(status["limit_source"]))
    rows = [
        ["metric", "value", "warning", "critical", "state"],
        ["current (RSS)", _mb(status["current_mb"]), "", "", ""],
        ["peak (RSS)", _mb(status["process_peak_mb"]), "", "", ""],
        [
            "available",
            _mb(avail),
            f"< {t.available_warning_mb:g} MB",
            f"< {t.available_critical_mb:g} MB",
            avail_state,
        ],
        ["system used", f"{float(status['system_percent']):.1f}%", "", "", ""],
        ["limit", f"{_mb(status['limit_mb'])} ({source})", "", "", ""],
        [
            "usage ratio",
            f"{usage:.1%}",
            f"> {t.usage_warning:.0%}",
            f"> {t.usage_critical:.0%}",
            above(usage, t.usage_warning, t.usage_critical),
        ],
    ]
    if "growth_mb" in status:
        growth = float(status["growth_mb"])
        rows.append(
            [
                "growth",
                f"{growth:+.1f} MB",
                f"> {t.growth_warning_mb:g} MB",
                f"> {t.growth_critical_mb:g} MB",
                above(growth, t.growth_warning_mb, t.growth_critical_mb),
            ]
        )
    return _table(rows)


def cmd_status(args: argparse.Namespace, config: Config) -> int:
    """Print the memory status (``get_memory_status``) as a table or JSON."""
    from customer_snapshot.memory.monitor import get_memory_status
    from customer_snapshot.memory.rss import cgroup_memory_limit

    status = get_memory_status(config)
    limit = cgroup_memory_limit()
    status["container_limit_mb"] = round(limit / 1024**2, 2) if limit is not None else None
    if args.json:
        _emit(status)
        return 0
    for line in status_lines(status):
        print(line)
    return 0


# -- monitor --------------------------------------------------------------------------------


def cmd_monitor(args: argparse.Namespace, config: Config) -> int:
    """Run the monitoring service for ``--duration`` seconds, printing each sample."""
    import psutil

    from customer_snapshot.memory.monitor import MemoryAlert, MemoryMonitoringService

    if args.interval <= 0:
        raise ConfigError("--interval", args.interval, "must be positive")
    if args.duration < 0:
        raise ConfigError("--duration", args.duration, "must not be negative")
    try:
        service = MemoryMonitoringService(config, interval=args.interval, pid=args.pid)
    except psutil.Error:
        raise ConfigError("--pid", args.pid, "no such process") from None
    alerts: list[MemoryAlert] = []
    service.add_alert_callback(alerts.append)
    shown = 0
    reported = 0

    def show_new() -> None:
        nonlocal shown, reported
        samples = service.samples
        for sample in samples[shown:]:
            ratio = sample.rss_mb / service.limit_mb if service.limit_mb else 0.0
            if args.json:
                _emit({"event": "sample", **sample.to_dict(), "usage_ratio": round(ratio, 4)})
            else:
                clock = time.strftime("%H:%M:%S", time.localtime(sample.timestamp))
                print(
                    f"{clock}  rss {sample.rss_mb:8.1f} MB  available "
                    f"{_mb(sample.available_mb):>9}  system {sample.system_percent:5.1f}%  "
                    f"usage {ratio:6.1%}",
                    flush=True,
                )
        shown = len(samples)
        if args.json:
            for alert in alerts[reported:]:
                _emit({"event": "alert", **alert.to_dict()})
        reported = len(alerts)

    if not args.json:
        who = f"process {args.pid}" if args.pid else "this process"
        print(
            f"monitoring {who} every {args.interval:g} s for {args.duration:g} s; "
            f"limit {_mb(service.limit_mb)} "
            f"({_SOURCES.get(service.limit_source, service.limit_source)})",
            flush=True,
        )
    service.start()
    end = time.monotonic() + args.duration
    try:
        while (left := end - time.monotonic()) > 0 and service.is_running:
            time.sleep(min(args.interval, left))
            show_new()
    finally:
        service.stop()
    show_new()
    try:
        status = service.get_status()
    except psutil.NoSuchProcess:
        status = None
    samples = service.samples
    summary = {
        "samples": len(samples),
        "peak_mb": round(max((s.rss_mb for s in samples), default=0.0), 2),
        "trend_mb_per_min": round(service.trend_mb_per_minute(), 3),
        "alerts": len(alerts),
        "process_ended": status is None,
    }
    if args.json:
        _emit({"event": "summary", **summary})
    else:
        print(
            f"{summary['samples']} samples, peak {summary['peak_mb']:.1f} MB, trend "
            f"{summary['trend_mb_per_min']:+.2f} MB/min, {summary['alerts']} alert(s)"
            + (f"; process {args.pid} ended" if status is None else "")
        )
    return 0


# -- gc -------------------------------------------------------------------------------------


def cmd_gc(args: argparse.Namespace, config: Config) -> int:
    """Collect garbage, clear registered caches and trim the heap; report what it freed."""
    from customer_snapshot.memory.optimizer import MemoryOptimizer, trim_heap
    from customer_snapshot.memory.rss import rss_mb

    optimizer = MemoryOptimizer(config)
    report = optimizer.force_garbage_collection()
    cleared = optimizer.clear_caches()
    trimmed = trim_heap()
    data = {**report.to_dict(), "caches_cleared": cleared, "heap_trimmed": trimmed}
    data["rss_final_mb"] = round(rss_mb(), 2)
    if args.json:
        _emit(data)
        return 0
    print(
        f"gc.collect(): {report.collected} unreachable objects in {report.seconds * 1000:.1f} ms, "
        f"{report.uncollectable} uncollectable"
    )
    print(
        f"resident memory: {report.rss_before_mb:.1f} MB -> {data['rss_final_mb']:.1f} MB "
        f"({report.rss_before_mb - data['rss_final_mb']:+.1f} MB freed; "
        f"heap {'trimmed' if trimmed else 'not trimmed'}, {cleared} cache(s) cleared)"
    )
    return 0


# -- profile --------------------------------------------------------------------------------


def cmd_profile(args: argparse.Namespace, config: Config) -> int:
    """Process one transcript with the outputs thrown away; print each stage's memory."""
    import tempfile

    from customer_snapshot.pipeline import process_file
    from customer_snapshot.render import resolve_formats

    config.progress = False
    if args.memory_limit is not None:
        if args.memory_limit < 0:
            raise ConfigError("--memory-limit", args.memory_limit, "must not be negative")
        config.memory_limit_mb = args.memory_limit
    formats = resolve_formats(args.format)
    source: Any = sys.stdin.buffer if args.input == "-" else args.input
    name = "<stdin>" if args.input == "-" else args.input
    with tempfile.TemporaryDirectory(prefix="customer-snapshot-profile-") as tmp:
        result = process_file(
            source, formats=formats, output=tmp + "/", config=config, name=name, stem="profile"
        )
    metrics = result.metrics
    snap = result.snapshot
    profile = {
        "source": snap.source,
        "model": snap.generator.get("model"),
        "formats": formats,
        "stages": metrics["stages"],
        "peak_rss_mb": metrics["peak_rss_mb"],
        "words_per_second": metrics.get("words_per_second"),
        "memory": metrics.get("memory", {}),
    }
    if args.json:
        _emit(profile)
        return 0
    src = snap.source
    print(
        f"{src['name']}: {_mb(src['bytes'] / 1024**2)}, {src['words']:,} words, "
        f"{src['cues']:,} cues; model {profile['model']}; formats {', '.join(formats)}"
    )
    rows = [["stage", "seconds", "rss start", "rss end", "delta", "peak"]]
    total = 0.0
    stages = metrics["stages"]
    for stage, s in stages.items():
        total += s["seconds"]
        rows.append(
            [
                stage,
                f"{s['seconds']:.3f}",
                f"{s['rss_start_mb']:.1f} MB",
                f"{s['rss_end_mb']:.1f} MB",
                f"{s['rss_end_mb'] - s['rss_start_mb']:+.1f} MB",
                f"{s['peak_rss_mb']:.1f} MB",
            ]
        )
    first, last = next(iter(stages.values())), list(stages.values())[-1]
    rows.append(
        [
            "total",
            f"{total:.3f}",
            f"{first['rss_start_mb']:.1f} MB",
            f"{last['rss_end_mb']:.1f} MB",
            f"{last['rss_end_mb'] - first['rss_start_mb']:+.1f} MB",
            f"{metrics['peak_rss_mb']:.1f} MB",
        ]
    )
    for line in _table(rows, right={1, 2, 3, 4, 5}):
        print(line)
    if "read" in stages and "analyze" in stages:
        print(
            "(read and analyze are one streaming pass: read's seconds are the time spent in the "
            "reader, its peak the highest RSS while it produced cues)"
        )
    mem = profile["memory"]
    limit = f"limit {mem['limit_mb']:g} MB" if mem.get("limit_mb") else "no limit"
    print(
        f"\n{metrics.get('words_per_second', 0):,.0f} words/s; {limit}; tracker: "
        f"{mem.get('snapshots', 0)} snapshots, growth {mem.get('growth_mb', 0):+.1f} MB, "
        f"{mem.get('spike_count', 0)} spike(s)"
    )
    for advice in mem.get("recommendations", []):
        print(f"- {advice}")
    return 0
