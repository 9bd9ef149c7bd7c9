"""``customer-snapshot memory``: status, monitor, gc, profile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from customer_snapshot.cli import main
from customer_snapshot.commands.memory import status_lines
from customer_snapshot.pipeline import STAGES

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"
BIN = Path(sys.executable).parent


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_status_table_has_the_specs_rows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["memory", "status"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["metric", "value", "warning", "critical", "state"]
    names = [line[:14].strip() for line in out[1:]]
    assert names == [
        "current (RSS)", "peak (RSS)", "available", "system used", "limit", "usage ratio"
    ]  # fmt: skip
    assert "1.0 GB (MEMORY_LIMIT_MB)" in out[5]
    assert out[6].split()[-3:] == [">", "90%", "ok"] or out[6].endswith(("WARNING", "CRITICAL"))


def test_status_json_and_the_limit_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMORY_LIMIT_MB", "10")
    assert main(["memory", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["limit_mb"] == 10 and status["limit_source"] == "config"
    assert status["usage_ratio"] == pytest.approx(status["current_mb"] / 10, abs=0.01)
    assert status["usage_ratio"] > 0.9  # this test process is far above 10 MB
    assert {"current_mb", "peak_mb", "available_mb", "system_percent"} <= set(status)
    assert "container_limit_mb" in status


def test_status_lines_judge_against_the_thresholds() -> None:
    status = {
        "current_mb": 950.0, "process_peak_mb": 990.0, "available_mb": 150.0,
        "system_percent": 97.5, "limit_mb": 1024.0, "limit_source": "cgroup",
        "usage_ratio": 950 / 1024, "growth_mb": 120.0,
    }  # fmt: skip
    lines = status_lines(status)
    assert lines[3].endswith("CRITICAL")  # available < 200 MB
    assert "(container)" in lines[5]
    assert lines[6].endswith("CRITICAL")  # 93% > 90%
    assert lines[7].startswith("growth") and lines[7].endswith("WARNING")  # > 100 MB


def test_gc_reports_what_it_did(capsys: pytest.CaptureFixture[str]) -> None:
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert main(["memory", "gc", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["collected"] >= 1 and report["generation"] == 2
    assert {"freed_mb", "rss_before_mb", "rss_after_mb", "heap_trimmed"} <= set(report)
    assert main(["memory", "gc"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("gc.collect(): ") and "resident memory:" in out


def test_monitor_prints_samples_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["memory", "monitor", "--duration", "0.35", "--interval", "0.1", "--json"]) == 0
    events = _json_lines(capsys.readouterr().out)
    samples = [e for e in events if e["event"] == "sample"]
    assert len(samples) >= 3  # the first at start, then every 0.1 s
    assert events[-1]["event"] == "summary" and events[-1]["samples"] == len(samples)
    assert all(float(str(s["rss_mb"])) > 10 for s in samples)
    assert main(["memory", "monitor", "--duration", "0.15", "--interval", "0.05"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("monitoring this process every 0.05 s")
    assert " rss " in out[1] and out[-1].endswith("alert(s)")


def test_monitor_another_process_and_its_alerts(capsys: pytest.CaptureFixture[str]) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; x = b'x' * (40 * 2**20); print(1, flush=True); "
         "time.sleep(30)"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline() == b"1\n"  # allocated
        os.environ["MEMORY_LIMIT_MB"] = "45"  # the child's 40 MB is > 80% of it
        try:
            code = main(
                ["memory", "monitor", "--pid", str(child.pid), "--duration", "0.5",
                 "--interval", "0.1", "--json"]
            )  # fmt: skip
        finally:
            del os.environ["MEMORY_LIMIT_MB"]
        assert code == 0
        events = _json_lines(capsys.readouterr().out)
        samples = [e for e in events if e["event"] == "sample"]
        assert samples and all(float(str(s["rss_mb"])) > 40 for s in samples)
        alerts = [e for e in events if e["event"] == "alert"]
        assert alerts and alerts[0]["metric"] == "usage"
        child.kill()
        child.wait()
        assert main(["memory", "monitor", "--pid", str(child.pid), "--duration", "0.1"]) == 2
        assert "--pid" in capsys.readouterr().err
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def test_profile_shows_every_stage(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    os.chdir(tmp_path)  # nothing may be written, not even next to the input
    try:
        assert main(["memory", "profile", str(EXAMPLE), "-f", "md", "--json"]) == 0
    finally:
        os.chdir(ROOT)
    profile = json.loads(capsys.readouterr().out)
    assert list(profile["stages"]) == list(STAGES)
    assert profile["source"]["name"] == "acme_onboarding.vtt" and profile["formats"] == ["md"]
    assert profile["memory"]["limit_mb"] == 1024 and profile["words_per_second"] > 0
    assert list(tmp_path.iterdir()) == [] and not list(EXAMPLE.parent.glob("*.snapshot.*"))
    assert main(["memory", "profile", str(EXAMPLE), "-f", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("acme_onboarding.vtt: ")
    assert lines[1].split() == ["stage", "seconds", "rss", "start", "rss", "end", "delta", "peak"]
    assert [line.split()[0] for line in lines[2:8]] == [*STAGES, "total"]


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["memory"]) == 2
    assert main(["memory", "monitor", "--interval", "0"]) == 2
    assert main(["memory", "profile", str(EXAMPLE), "--memory-limit", "-1"]) == 2
    assert "--memory-limit" in capsys.readouterr().err


def test_installed_command_end_to_end() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    done = subprocess.run(
        [str(BIN / "customer-snapshot"), "memory", "status", "--json"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["current_mb"] < 100  # a fresh CLI process: no spaCy
    done = subprocess.run(
        [str(BIN / "customer-snapshot"), "memory", "profile", str(EXAMPLE), "-f", "json",
         "--memory-limit", "60"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 3 and "memory limit exceeded" in done.stderr
