"""The batch report: ``OUT_DIR/batch_report.json`` and the summary table printed at the end.

Every input is in the report, in discovery order, with its status (``ok``, ``cached``,
``failed`` or ``interrupted``), the reason when it failed, its time, its peak memory and the
files written. A reporter takes data and an open file, never argparse.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

__all__ = ["REPORT_FILE", "STATUSES", "BatchReport", "format_summary", "write_report"]

REPORT_FILE = "batch_report.json"
STATUSES = ("ok", "cached", "failed", "interrupted")
# Fields of a result that stay in the parent (bulky or only for the cache).
_PRIVATE = ("snapshot_json", "recycle", "index")


@dataclass
class BatchReport:
    """What a batch did.

    Attributes:
        files: one plain dict per input, in discovery order (see :func:`public_result`).
        settings: the run's settings and figures (executor, workers and why, formats, ...).
        seconds: the batch's wall-clock time.
        interrupted: stopped by Ctrl-C before every file was done.
        path: where the JSON report was written (None until written).
    """

    files: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False
    path: str | None = None

    def count(self, status: str) -> int:
        """How many inputs have ``status``."""
        return sum(1 for f in self.files if f["status"] == status)

    @property
    def succeeded(self) -> int:
        """Inputs with outputs (analysed now or served from the cache)."""
        return self.count("ok") + self.count("cached")

    @property
    def exit_code(self) -> int:
        """0 when every input succeeded, 1 otherwise (the CLI's exit code)."""
        return 0 if self.files and self.succeeded == len(self.files) else 1

    def summary(self) -> dict[str, Any]:
        """Counts and throughput."""
        minutes = self.seconds / 60
        return {
            "total": len(self.files),
            "succeeded": self.succeeded,
            "analysed": self.count("ok"),
            "cached": self.count("cached"),
            "failed": self.count("failed"),
            "interrupted": self.count("interrupted"),
            "seconds": round(self.seconds, 3),
            "files_per_minute": round(self.succeeded / minutes, 1) if minutes > 0 else None,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON report."""
        return {
            "report_version": 1,
            "status": "interrupted" if self.interrupted else "completed",
            **self.settings,
            "summary": self.summary(),
            "files": self.files,
        }


def public_result(result: dict[str, Any]) -> dict[str, Any]:
    """A worker's result without the fields that only the parent needs.

    >>> public_result({"index": 0, "name": "a.vtt", "status": "ok", "snapshot_json": "{}"})
    {'name': 'a.vtt', 'status': 'ok'}
    """
    return {k: v for k, v in result.items() if k not in _PRIVATE}


def write_report(report: BatchReport, out_dir: str | os.PathLike[str]) -> str:
    """Write ``OUT_DIR/batch_report.json`` (atomically); returns its path."""
    from customer_snapshot.pipeline import write_atomic

    path = Path(out_dir) / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    write_atomic(path, data.encode())
    report.path = str(path)
    return str(path)


def _cell(value: float | None, fmt: str, width: int = 7) -> str:
    return f"{'-':>{width}}" if value is None else format(value, fmt)


def format_summary(report: BatchReport, out: IO[str], *, name_width: int = 40) -> None:
    """Print the summary table (one row per input, failures with their reason) and totals."""
    rows: Sequence[dict[str, Any]] = report.files
    width = min(name_width, max([len("file")] + [len(str(r["name"])) for r in rows]))
    out.write(
        f"{'file':<{width}}  {'status':<11}  {'seconds':>7}  {'peak MB':>7}  {'outputs':>7}\n"
    )
    for r in rows:
        name = str(r["name"])
        if len(name) > width:
            name = "…" + name[-(width - 1) :]
        line = (
            f"{name:<{width}}  {r['status']:<11}  {_cell(r.get('seconds'), '7.2f')}  "
            f"{_cell(r.get('peak_rss_mb'), '7.0f')}  {len(r.get('outputs') or []):>7}"
        )
        if r.get("error"):
            again = " (unchanged since it failed: not read again)" if r.get("from_cache") else ""
            line += f"  {r['error']}{again}"
        out.write(line.rstrip() + "\n")
    s = report.summary()
    parts = [f"{s['succeeded']} succeeded ({s['cached']} from the cache)", f"{s['failed']} failed"]
    if s["interrupted"]:
        parts.append(f"{s['interrupted']} not done (interrupted)")
    rate = f", {s['files_per_minute']:.1f} files/min" if s["files_per_minute"] else ""
    workers = report.settings.get("workers")
    executor = report.settings.get("executor", "local")
    who = f" with {workers} {executor} worker{'s' if workers != 1 else ''}" if workers else ""
    files = f"{s['total']} file{'s' if s['total'] != 1 else ''}"
    out.write(f"{files}: {', '.join(parts)}; {s['seconds']:.1f} s{rate}{who}\n")
    if report.path:
        out.write(f"report: {report.path}\n")
