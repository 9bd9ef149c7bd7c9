"""The batch report: JSON file, exit code, summary table."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from customer_snapshot.batch.report import REPORT_FILE, BatchReport, format_summary, write_report


def entry(name: str, status: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "input": f"in/{name}", "name": name, "status": status, "error": None,
        "seconds": 1.25, "peak_rss_mb": 201.4, "outputs": [f"out/{name}.snapshot.md"],
    }  # fmt: skip
    base.update(extra)
    return base


def test_exit_code_is_zero_only_when_every_input_succeeded() -> None:
    assert BatchReport(files=[entry("a", "ok"), entry("b", "cached")]).exit_code == 0
    assert BatchReport(files=[entry("a", "ok"), entry("b", "failed")]).exit_code == 1
    assert BatchReport(files=[entry("a", "ok"), entry("b", "interrupted")]).exit_code == 1
    assert BatchReport(files=[]).exit_code == 1


def test_the_report_is_written_as_json(tmp_path: Path) -> None:
    report = BatchReport(
        files=[entry("a.vtt", "ok"), entry("b.vtt", "failed", error="b.vtt:1: not a transcript")],
        settings={"workers": 2, "executor": "local"},
        seconds=30.0,
    )
    path = write_report(report, tmp_path / "out")
    assert path == str(tmp_path / "out" / REPORT_FILE) == report.path
    data = json.loads(Path(path).read_text())
    assert data["status"] == "completed" and data["workers"] == 2
    assert data["summary"] == {
        "total": 2, "succeeded": 1, "analysed": 1, "cached": 0, "failed": 1, "interrupted": 0,
        "seconds": 30.0, "files_per_minute": 2.0,
    }  # fmt: skip
    assert [f["status"] for f in data["files"]] == ["ok", "failed"]
    assert not list((tmp_path / "out").glob(".*.tmp"))  # written atomically


def test_the_summary_table_lists_every_input_and_why_one_failed() -> None:
    report = BatchReport(
        files=[
            entry("calls/2024/a.vtt", "ok"),
            entry("b.vtt", "cached", peak_rss_mb=None, seconds=0.01),
            entry("bad.vtt", "failed", error="bad.vtt:1: not a transcript", outputs=[]),
            entry("c.vtt", "interrupted", seconds=None, peak_rss_mb=None, outputs=[]),
        ],
        settings={"workers": 2, "executor": "local"},
        seconds=12.0,
        path="out/batch_report.json",
    )
    out = io.StringIO()
    format_summary(report, out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["file", "status", "seconds", "peak", "MB", "outputs"]
    assert lines[1].split() == ["calls/2024/a.vtt", "ok", "1.25", "201", "1"]
    assert lines[2].split() == ["b.vtt", "cached", "0.01", "-", "1"]
    assert lines[3].split()[:5] == ["bad.vtt", "failed", "1.25", "201", "0"]
    assert lines[3].endswith("bad.vtt:1: not a transcript")
    assert lines[4].split() == ["c.vtt", "interrupted", "-", "-", "0"]
    # Columns line up: the status column starts after the longest name and two spaces.
    width = len("calls/2024/a.vtt")
    assert {line[width : width + 2] for line in lines[:5]} == {"  "}
    assert all(line[width + 2] != " " for line in lines[:5])
    assert lines[5] == (
        "4 files: 2 succeeded (1 from the cache), 1 failed, 1 not done (interrupted); "
        "12.0 s, 10.0 files/min with 2 local workers"
    )
    assert lines[6] == "report: out/batch_report.json"
