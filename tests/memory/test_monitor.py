"""MemoryMonitoringService and the module functions; container-aware limits."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from customer_snapshot.config import Config
from customer_snapshot.memory import monitor as monitor_module
from customer_snapshot.memory import rss
from customer_snapshot.memory.monitor import (
    AlertThresholds,
    MemoryAlert,
    MemoryMonitoringService,
    MemorySample,
    get_memory_status,
    get_monitoring_service,
    start_memory_monitoring,
    stop_memory_monitoring,
)
from customer_snapshot.memory.rss import peak_rss_bytes_of

LOGGER = "customer_snapshot.memory.monitor"
STATUS_KEYS = {
    "current_mb",
    "peak_mb",
    "available_mb",
    "system_percent",
    "limit_mb",
    "usage_ratio",
    "monitoring",
    "alerts",
}


@pytest.fixture(autouse=True)
def _stop_global_service() -> Iterator[None]:
    yield
    stop_memory_monitoring()
    assert not [t for t in threading.enumerate() if t.name == "memory-monitor"]


@pytest.fixture
def config() -> Config:
    return Config.from_env({})


def sample(rss_mb: float, *, available_mb: float = 10_000, at: float = 0.0) -> MemorySample:
    return MemorySample(
        timestamp=at, rss_mb=rss_mb, vms_mb=2 * rss_mb, available_mb=available_mb, system_percent=1
    )


def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.01)
    pytest.fail("condition not reached in time")


# -- the spec's API --------------------------------------------------------------------------


def test_spec_example(config: Config) -> None:
    from customer_snapshot.utils.memory_optimizer import (
        get_memory_status as exported_status,
    )
    from customer_snapshot.utils.memory_optimizer import (
        start_memory_monitoring as exported_start,
    )
    from customer_snapshot.utils.memory_optimizer import (
        stop_memory_monitoring as exported_stop,
    )

    service = exported_start(config, interval=30)
    assert isinstance(service, MemoryMonitoringService)
    assert service.is_running
    assert get_monitoring_service() is service
    status = exported_status()
    assert status.keys() >= STATUS_KEYS
    assert status["monitoring"] is True
    assert status["samples"] >= 1  # the first sample is taken at start
    json.dumps(status)  # "send_to_monitoring_system(status)"
    exported_stop()
    assert not service.is_running
    assert get_memory_status()["monitoring"] is False


def test_status_without_a_service(config: Config) -> None:
    status = get_memory_status(config)
    assert status.keys() >= STATUS_KEYS
    assert status["monitoring"] is False
    assert status["alerts"] == []
    assert 0 < status["current_mb"] <= status["peak_mb"]
    assert status["available_mb"] > 0
    assert status["limit_mb"] > 0
    assert status["usage_ratio"] == pytest.approx(
        status["current_mb"] / status["limit_mb"], rel=0.05
    )


def test_status_uses_the_configured_limit_when_it_is_the_smallest(config: Config) -> None:
    config.memory_limit_mb = 50
    status = get_memory_status(config)
    assert status["limit_mb"] == 50
    assert status["limit_source"] == "config"


def test_the_thread_samples_until_stopped(config: Config) -> None:
    service = MemoryMonitoringService(config, interval=0.02, history=3)
    service.start()
    assert service.start() is service  # starting twice is harmless
    wait_for(lambda: service.get_status()["samples"] >= 5)
    service.stop()
    assert not service.is_running
    count = service.get_status()["samples"]
    assert len(service.samples) == 3  # bounded history
    time.sleep(0.1)
    assert service.get_status()["samples"] == count  # really stopped
    assert service.get_status()["monitoring"] is False


def test_start_replaces_a_running_service(config: Config) -> None:
    first = start_memory_monitoring(config, interval=30)
    second = start_memory_monitoring(config, interval=30)
    assert not first.is_running
    assert second.is_running
    assert stop_memory_monitoring() is second
    assert stop_memory_monitoring() is None


def test_context_manager(config: Config) -> None:
    with MemoryMonitoringService(config, interval=30) as service:
        assert service.is_running
    assert not service.is_running


# -- alerts ----------------------------------------------------------------------------------


def test_usage_alerts_follow_the_spec_thresholds(
    config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    service = MemoryMonitoringService(config, interval=30, limit_mb=1000)
    got: list[MemoryAlert] = []
    service.add_alert_callback(got.append)
    caplog.set_level(logging.INFO, logger=LOGGER)

    service.record(sample(790))  # 79 %: fine (also the growth baseline)
    assert got == []
    service.record(sample(810))  # 81 %: warning
    service.record(sample(820))  # still warning: not repeated
    service.record(sample(910))  # 91 %: critical
    usage = [a for a in got if a.metric == "usage"]
    assert [a.level for a in usage] == ["warning", "critical"]
    assert usage[0].threshold == 0.8 and usage[1].threshold == 0.9
    assert usage[1].value == pytest.approx(0.91)
    levels = [r.levelno for r in caplog.records if "of the 1000 MB limit" in r.getMessage()]
    assert levels == [logging.WARNING, logging.CRITICAL]

    service.record(sample(500))  # back to normal (growth too)
    assert service.active_alerts == []
    assert "back to normal" in caplog.text
    service.record(sample(850))  # a new warning after recovery is reported again
    assert [a.level for a in got if a.metric == "usage"] == ["warning", "critical", "warning"]


def test_growth_alerts(config: Config) -> None:
    service = MemoryMonitoringService(config, interval=30, limit_mb=100_000)
    got: list[MemoryAlert] = []
    service.add_alert_callback(got.append)
    service.record(sample(100))  # start
    service.record(sample(199))  # +99
    assert got == []
    service.record(sample(201))  # +101: warning
    service.record(sample(601))  # +501: critical
    assert [(a.metric, a.level) for a in got] == [("growth", "warning"), ("growth", "critical")]
    assert "grew by 501 MB" in got[1].message


def test_system_available_alerts(config: Config) -> None:
    service = MemoryMonitoringService(config, interval=30, limit_mb=100_000)
    got: list[MemoryAlert] = []
    service.add_alert_callback(got.append)
    service.record(sample(100, available_mb=600))
    service.record(sample(100, available_mb=499))
    service.record(sample(100, available_mb=199))
    assert [(a.metric, a.level) for a in got] == [
        ("system_available", "warning"),
        ("system_available", "critical"),
    ]
    status = service.get_status()
    assert "system_available" in {a["metric"] for a in status["recent_alerts"]}


def test_custom_thresholds_and_removed_callbacks(config: Config) -> None:
    service = MemoryMonitoringService(
        config,
        interval=30,
        limit_mb=100,
        thresholds=AlertThresholds(usage_warning=0.5, usage_critical=0.95),
    )
    got: list[MemoryAlert] = []
    service.add_alert_callback(got.append)
    service.record(sample(60))
    assert [a.level for a in got] == ["warning"]
    service.remove_alert_callback(got.append)
    service.remove_alert_callback(got.append)  # unknown: ignored
    service.record(sample(99))
    assert len(got) == 1
    assert [a.level for a in service.alerts] == ["warning", "critical"]


def test_a_failing_callback_does_not_stop_the_others(
    config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    service = MemoryMonitoringService(config, interval=30, limit_mb=100)
    got: list[MemoryAlert] = []

    def broken(alert: MemoryAlert) -> None:
        raise RuntimeError("callback bug")

    service.add_alert_callback(broken)
    service.add_alert_callback(got.append)
    service.record(sample(95))
    assert len(got) == 1
    assert "callback bug" in caplog.text


def test_trend(config: Config) -> None:
    service = MemoryMonitoringService(config, interval=30, limit_mb=100_000)
    assert service.trend_mb_per_minute() == 0.0
    for i in range(5):
        service.record(sample(100 + 10 * i, at=60.0 * i))  # +10 MB a minute
    assert service.trend_mb_per_minute() == pytest.approx(10.0)


def test_invalid_interval(config: Config) -> None:
    with pytest.raises(ValueError, match="interval"):
        MemoryMonitoringService(config, interval=0)


# -- container-aware limits ------------------------------------------------------------------


def _cgroup(tmp_path: Path, files: dict[str, str], own: str = "0::/\n") -> dict[str, Path]:
    root = tmp_path / "cgroup"
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    proc = tmp_path / "proc_self_cgroup"
    proc.write_text(own)
    return {"root": root, "proc_cgroup": proc}


def test_cgroup_v2_limit(tmp_path: Path) -> None:
    paths = _cgroup(tmp_path, {"memory.max": "2147483648\n", "memory.current": "1048576\n"})
    assert rss.cgroup_memory_limit(**paths) == 2 * 1024**3
    assert rss.cgroup_memory_usage(**paths) == 1024**2


def test_cgroup_v2_max_means_unlimited(tmp_path: Path) -> None:
    assert rss.cgroup_memory_limit(**_cgroup(tmp_path, {"memory.max": "max\n"})) is None


def test_cgroup_v2_nested_group_is_found(tmp_path: Path) -> None:
    paths = _cgroup(
        tmp_path,
        {"system.slice/app.service/memory.max": "536870912\n"},
        own="0::/system.slice/app.service\n",
    )
    assert rss.cgroup_memory_limit(**paths) == 512 * 1024**2


def test_cgroup_v1_limit_and_its_unlimited_value(tmp_path: Path) -> None:
    limited = _cgroup(
        tmp_path / "a",
        {"memory/memory.limit_in_bytes": "1073741824\n"},
        own="12:memory:/\n",
    )
    assert rss.cgroup_memory_limit(**limited) == 1024**3
    unlimited = _cgroup(tmp_path / "b", {"memory/memory.limit_in_bytes": "9223372036854771712\n"})
    assert rss.cgroup_memory_limit(**unlimited) is None


def test_no_cgroup_files(tmp_path: Path) -> None:
    paths = _cgroup(tmp_path, {})
    assert rss.cgroup_memory_limit(**paths) is None
    assert rss.cgroup_memory_usage(**paths) is None


def test_effective_limit_prefers_the_smallest(monkeypatch: pytest.MonkeyPatch) -> None:
    gb = 1024**3
    monkeypatch.setattr(rss, "system_memory", lambda: (16 * gb, 8 * gb, 50.0))
    monkeypatch.setattr(rss, "cgroup_memory_limit", lambda: 2 * gb)
    assert rss.effective_limit_mb(None) == rss.MemoryLimitInfo(2048.0, "cgroup")
    assert rss.effective_limit_mb(0) == rss.MemoryLimitInfo(2048.0, "cgroup")
    assert rss.effective_limit_mb(1024) == rss.MemoryLimitInfo(1024.0, "config")
    assert rss.effective_limit_mb(4096) == rss.MemoryLimitInfo(2048.0, "cgroup")
    monkeypatch.setattr(rss, "cgroup_memory_limit", lambda: None)
    assert rss.effective_limit_mb(None) == rss.MemoryLimitInfo(16384.0, "system")


def test_available_memory_is_container_aware(monkeypatch: pytest.MonkeyPatch) -> None:
    gb = 1024**3
    monkeypatch.setattr(rss, "system_memory", lambda: (16 * gb, 8 * gb, 50.0))
    monkeypatch.setattr(rss, "cgroup_memory_limit", lambda: 2 * gb)
    monkeypatch.setattr(rss, "cgroup_memory_usage", lambda: gb + gb // 2)
    assert rss.effective_available_bytes() == gb // 2
    monkeypatch.setattr(rss, "cgroup_memory_limit", lambda: None)
    assert rss.effective_available_bytes() == 8 * gb


def test_service_limit_comes_from_the_container(
    monkeypatch: pytest.MonkeyPatch, config: Config
) -> None:
    monkeypatch.setattr(rss, "cgroup_memory_limit", lambda: 256 * 1024**2)
    config.memory_limit_mb = 0
    service = MemoryMonitoringService(config, interval=30)
    assert (service.limit_mb, service.limit_source) == (256.0, "cgroup")


def test_peak_rss_is_at_least_current() -> None:
    assert rss.peak_rss_mb() >= rss.rss_mb() * 0.99
    assert monitor_module.get_memory_status()["peak_mb"] >= rss.rss_mb() * 0.99


def test_watching_another_process(config: Config) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; x = b'x' * (30 * 2**20); print(1, flush=True); "
         "time.sleep(30)"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline() == b"1\n"
        service = MemoryMonitoringService(config, interval=0.02, pid=child.pid)
        sample = service.sample_now()
        assert sample.rss_mb > 30 and service.sample_count == 1
        status = service.get_status()
        assert status["pid"] == child.pid and status["process_peak_mb"] >= 30
        assert peak_rss_bytes_of(child.pid) >= 30 * 2**20
        service.start()
        child.kill()
        child.wait()
        deadline = time.monotonic() + 5
        while service.is_running and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not service.is_running  # the sampling thread ends with the process
        service.stop()
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert peak_rss_bytes_of(child.pid) == 0
    with pytest.raises(psutil.NoSuchProcess):
        MemoryMonitoringService(config, pid=child.pid)
