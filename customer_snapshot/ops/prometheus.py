"""The metrics store in the Prometheus text exposition format (version 0.0.4).

Meant for node-exporter's textfile collector: ``customer-snapshot metrics --prometheus -o
/var/lib/node_exporter/textfile/customer_snapshot.prom`` (the file is written atomically, as
the collector requires). Counters come from the store's monotonic totals, so they never go
down when old runs are pruned; gauges describe the newest run. Sizes are in bytes and times in
seconds, as Prometheus names them; the file name appears only in the ``..._last_run_info``
series, so the number of series stays fixed however many files are processed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import IO

from customer_snapshot.ops.metrics import MetricsStore, RunRecord

__all__ = ["escape_label", "render_prometheus", "write_prometheus"]

PREFIX = "customer_snapshot"
MB = 1024 * 1024


def escape_label(value: str) -> str:
    r"""Escape a label value: backslash, double quote and line feed.

    >>> escape_label('a "b"\\c\nd')
    'a \\"b\\"\\\\c\\nd'
    """
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _value(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(
        self,
        name: str,
        kind: str,
        help_text: str,
        samples: Iterable[tuple[dict[str, str], float | None]],
    ) -> None:
        rows = [(labels, v) for labels, v in samples if v is not None]
        if not rows:
            return
        full = f"{PREFIX}_{name}"
        self.lines.append(f"# HELP {full} {help_text}")
        self.lines.append(f"# TYPE {full} {kind}")
        for labels, v in rows:
            text = ",".join(f'{k}="{escape_label(str(val))}"' for k, val in labels.items())
            self.lines.append(f"{full}{{{text}}} {_value(v)}" if text else f"{full} {_value(v)}")


def _mb_to_bytes(v: float | None) -> float | None:
    return None if v is None else v * MB


def render_prometheus(store: MetricsStore) -> str:
    """The store's counters and its newest run as Prometheus text (ends with a newline)."""
    totals = store.totals()
    runs = store.runs(limit=1)
    w = _Writer()
    w.family(
        "runs_total",
        "counter",
        "Runs recorded in the metrics store, by outcome.",
        [({"status": st}, totals.get(f"runs_{st}", 0.0)) for st in ("ok", "failed")],
    )
    w.family(
        "words_processed_total",
        "counter",
        "Transcript words processed.",
        [({}, totals.get("words", 0.0))],
    )
    w.family(
        "input_bytes_total",
        "counter",
        "Transcript bytes processed.",
        [({}, totals.get("bytes", 0.0))],
    )
    w.family(
        "processing_seconds_total",
        "counter",
        "Wall time spent processing transcripts.",
        [({}, totals.get("seconds", 0.0))],
    )
    w.family(
        "warnings_total",
        "counter",
        "Warnings attached to snapshots.",
        [({}, totals.get("warnings", 0.0))],
    )
    w.family(
        "memory_alerts_total",
        "counter",
        "Memory monitor alerts raised during runs, by level.",
        [({"level": lvl}, totals.get(f"alerts_{lvl}", 0.0)) for lvl in ("warning", "critical")],
    )
    if runs:
        _last_run(w, runs[0], store)
    ok = runs if runs and runs[0].status == "ok" else store.runs(limit=1, status="ok")
    w.family(
        "last_success_timestamp_seconds",
        "gauge",
        "When the newest successful run finished, Unix time.",
        [({}, ok[0].finished_at)] if ok else [],
    )
    w.family(
        "metrics_store_runs",
        "gauge",
        "Runs currently kept in the metrics store.",
        [({}, float(store.count()))],
    )
    return "\n".join(w.lines) + "\n"


def _last_run(w: _Writer, run: RunRecord, store: MetricsStore) -> None:
    info = {
        "command": run.command,
        "file": run.source_name,
        "status": run.status,
        "model": run.model or "",
    }
    w.family("last_run_info", "gauge", "The newest run (value always 1).", [(info, 1.0)])
    w.family(
        "last_run_success",
        "gauge",
        "Whether the newest run succeeded (1) or failed (0).",
        [({}, 1.0 if run.status == "ok" else 0.0)],
    )
    w.family(
        "last_run_timestamp_seconds",
        "gauge",
        "When the newest run finished, Unix time.",
        [({}, run.finished_at)],
    )
    w.family(
        "last_run_duration_seconds", "gauge", "Wall time of the newest run.", [({}, run.seconds)]
    )
    w.family(
        "last_run_input_bytes", "gauge", "Size of the newest run's input.", [({}, run.source_bytes)]
    )
    w.family("last_run_words", "gauge", "Words in the newest run's transcript.", [({}, run.words)])
    w.family(
        "last_run_words_per_second",
        "gauge",
        "Analysis throughput of the newest run.",
        [({}, run.words_per_second)],
    )
    w.family(
        "last_run_peak_rss_bytes",
        "gauge",
        "Peak resident memory of the newest run's process.",
        [({}, _mb_to_bytes(run.peak_rss_mb))],
    )
    w.family(
        "last_run_memory_limit_bytes",
        "gauge",
        "The memory limit (MEMORY_LIMIT_MB) the newest run ran under.",
        [({}, _mb_to_bytes(run.memory_limit_mb))],
    )
    w.family(
        "last_run_stage_duration_seconds",
        "gauge",
        "Seconds of each stage of the newest run.",
        [({"stage": name}, s["seconds"]) for name, s in run.stages.items()],
    )
    w.family(
        "last_run_stage_peak_rss_bytes",
        "gauge",
        "Peak resident memory at the end of each stage of the newest run.",
        [({"stage": name}, _mb_to_bytes(s["peak_rss_mb"])) for name, s in run.stages.items()],
    )
    samples = store.samples(run.id)
    if samples:
        rss = [s.rss_mb for s in samples]
        w.family(
            "last_run_sampled_rss_bytes",
            "gauge",
            "Resident memory sampled by the memory monitor during the newest run.",
            [
                ({"stat": k}, v * MB)
                for k, v in (("min", min(rss)), ("max", max(rss)), ("last", rss[-1]))
            ],
        )
    w.family(
        "last_run_memory_samples",
        "gauge",
        "Memory samples taken during the newest run.",
        [({}, float(len(samples)))],
    )
    w.family(
        "last_run_warnings",
        "gauge",
        "Warnings of the newest run.",
        [({}, float(len(run.warnings)))],
    )
    w.family(
        "last_run_memory_alerts",
        "gauge",
        "Memory alerts of the newest run.",
        [({}, float(run.alert_count))],
    )


def write_prometheus(store: MetricsStore, out: IO[str]) -> None:
    """Write :func:`render_prometheus` of ``store`` to an open text file."""
    out.write(render_prometheus(store))
