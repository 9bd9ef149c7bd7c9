"""The metrics, dashboard and health commands, in process and through the installed CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from customer_snapshot.cli import main
from customer_snapshot.config import Config
from customer_snapshot.ops.metrics import record_run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"
CLI = Path(sys.executable).with_name("customer-snapshot")
METRICS = {
    "stages": {"analyze": {"seconds": 1.0, "peak_rss_mb": 180.0}},
    "peak_rss_mb": 180.0,
    "words_per_second": 1900.0,
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("SNAPSHOT_HOME", str(home))
    return home


def _record(name: str, **kw: object) -> None:
    params: dict[str, object] = {
        "config": Config(), "command": "process", "source_name": name, "source_bytes": 18886,
        "words": 1921, "metrics": METRICS,
    }  # fmt: skip
    params.update(kw)
    assert record_run(**params) is not None  # type: ignore[arg-type]


def test_metrics_table_json_and_prometheus(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["metrics"]) == 0
    assert "no runs recorded yet" in capsys.readouterr().out
    _record("calls/one.vtt")
    _record("calls/two.vtt", status="failed", error="boom", words=None)
    assert main(["metrics"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["id", "finished", "status"]
    assert "failed" in lines[1] and lines[1].endswith("calls/two.vtt")
    assert main(["metrics", "--json", "-n", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["source_name"] for r in data["runs"]] == ["calls/two.vtt"]
    assert data["totals"]["runs_ok"] == 1
    prom = tmp_path / "textfile" / "customer_snapshot.prom"
    prom.parent.mkdir()
    assert main(["metrics", "--prometheus", "-o", str(prom)]) == 0
    text = prom.read_text()
    assert 'customer_snapshot_runs_total{status="failed"} 1' in text
    assert [p.name for p in prom.parent.iterdir()] == ["customer_snapshot.prom"]  # no temp left


def test_bad_options_are_usage_errors(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "--limit", "0"]) == 2
    assert main(["metrics", "--json", "--prometheus"]) == 2
    assert main(["dashboard", "--mode", "everything"]) == 2
    assert main(["dashboard", "--serve", "--port", "70000"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_dashboard_writes_a_file_or_stdout(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dash.html"
    assert main(["dashboard", "-o", str(out)]) == 0
    assert "No runs recorded yet" in out.read_text()
    _record("calls/one.vtt")
    assert main(["dashboard", "--mode", "comprehensive", "-o", "-"]) == 0
    html = capsys.readouterr().out
    assert html.startswith("<!DOCTYPE html>") and "one.vtt" in html and 'id="failures"' in html


def test_health_json(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["health", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "healthy"
    assert [c["name"] for c in report["checks"]] == ["nlp", "render", "data_folder", "memory"]


def test_installed_cli_records_a_run_and_exports_it(tmp_path: Path) -> None:
    env = {**os.environ, "SNAPSHOT_HOME": str(tmp_path / "home")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CLI), *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    done = run("process", str(EXAMPLE), "-o", f"{tmp_path}/", "-q")
    assert done.returncode == 0, done.stderr
    done = run("metrics", "--prometheus")
    assert done.returncode == 0 and done.stderr == ""
    assert f'file="{EXAMPLE}"' in done.stdout
    assert 'customer_snapshot_runs_total{status="ok"} 1' in done.stdout
    assert "customer_snapshot_last_run_stage_duration_seconds{stage=" in done.stdout
    done = subprocess.run(
        [sys.executable, str(ROOT / "performance_dashboard.py"), "--mode", "comprehensive",
         "-o", str(tmp_path / "d.html")],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "acme_onboarding.vtt" in (tmp_path / "d.html").read_text()
