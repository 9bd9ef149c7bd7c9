"""The Prometheus text export parses with the reference parser and says what the store holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from customer_snapshot.config import Config
from customer_snapshot.ops.metrics import MetricsStore, record_run
from customer_snapshot.ops.prometheus import render_prometheus

MB = 1024 * 1024


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config.from_env({"SNAPSHOT_HOME": str(tmp_path), "MEMORY_LIMIT_MB": "512"})


def _parse(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, []).append((dict(s.labels), s.value))
    return out


def _one(parsed: dict[str, list[tuple[dict[str, str], float]]], name: str) -> float:
    ((_, value),) = parsed[name]
    return value


def test_counters_and_the_newest_run(config: Config) -> None:
    record_run(
        config=config, command="process", source_name="first.vtt", source_bytes=1000, words=100,
        metrics={"stages": {"analyze": {"seconds": 2.0, "peak_rss_mb": 150.0}},
                 "peak_rss_mb": 150.0, "words_per_second": 50.0},
        alerts=[{"timestamp": 1.0, "metric": "usage", "level": "warning", "value": 0.85,
                 "threshold": 0.8, "message": "m"}],
        samples=[{"timestamp": 1.0, "rss_mb": 100.0}, {"timestamp": 2.0, "rss_mb": 150.0}],
    )  # fmt: skip
    record_run(
        config=config, command="batch", source_name='odd "name"\\x\n.vtt', source_bytes=3000,
        words=300, warnings=["w"],
        metrics={"stages": {"read": {"seconds": 0.5, "peak_rss_mb": 60.0},
                            "analyze": {"seconds": 1.5, "peak_rss_mb": 170.0}},
                 "peak_rss_mb": 170.0, "words_per_second": 200.0},
    )  # fmt: skip
    record_run(
        config=config, command="process", source_name="bad.vtt", source_bytes=10, words=None,
        metrics={}, status="failed", error="bad.vtt:1: not a transcript",
    )  # fmt: skip
    text = render_prometheus(MetricsStore.for_config(config))
    parsed = _parse(text)
    runs = {labels["status"]: v for labels, v in parsed["customer_snapshot_runs_total"]}
    assert runs == {"ok": 2.0, "failed": 1.0}
    assert _one(parsed, "customer_snapshot_words_processed_total") == 400
    assert _one(parsed, "customer_snapshot_input_bytes_total") == 4010
    assert _one(parsed, "customer_snapshot_warnings_total") == 1
    alerts = {labels["level"]: v for labels, v in parsed["customer_snapshot_memory_alerts_total"]}
    assert alerts == {"warning": 1.0, "critical": 0.0}
    ((info, _),) = parsed["customer_snapshot_last_run_info"]
    assert info == {"command": "process", "file": "bad.vtt", "status": "failed", "model": ""}
    assert _one(parsed, "customer_snapshot_last_run_success") == 0
    assert "customer_snapshot_last_run_peak_rss_bytes" not in parsed  # none recorded: no series
    assert _one(parsed, "customer_snapshot_last_run_memory_limit_bytes") == 512 * MB
    assert _one(parsed, "customer_snapshot_metrics_store_runs") == 3
    # The newest successful run, for alerting on "nothing succeeded for a day".
    ok = MetricsStore.for_config(config).runs(status="ok", limit=1)[0]
    assert _one(parsed, "customer_snapshot_last_success_timestamp_seconds") == ok.finished_at
    assert text.endswith("\n") and "\n\n" not in text


def test_stage_series_and_escaped_labels(config: Config) -> None:
    name = 'odd "name"\\x\n.vtt'
    record_run(
        config=config, command="process", source_name=name, source_bytes=3000, words=300,
        metrics={"stages": {"read": {"seconds": 0.5, "peak_rss_mb": 60.0},
                            "analyze": {"seconds": 1.5, "peak_rss_mb": 170.0}},
                 "peak_rss_mb": 170.0, "words_per_second": 200.0},
        samples=[{"timestamp": 1.0, "rss_mb": 100.0}, {"timestamp": 2.0, "rss_mb": 150.0},
                 {"timestamp": 3.0, "rss_mb": 120.0}],
    )  # fmt: skip
    parsed = _parse(render_prometheus(MetricsStore.for_config(config)))
    ((info, _),) = parsed["customer_snapshot_last_run_info"]
    assert info["file"] == name  # escaped in the text, read back intact
    stages = dict(
        (labels["stage"], v)
        for labels, v in parsed["customer_snapshot_last_run_stage_duration_seconds"]
    )
    assert stages == {"read": 0.5, "analyze": 1.5}
    peaks = dict(
        (labels["stage"], v)
        for labels, v in parsed["customer_snapshot_last_run_stage_peak_rss_bytes"]
    )
    assert peaks == {"read": 60 * MB, "analyze": 170 * MB}
    sampled = {lab["stat"]: v for lab, v in parsed["customer_snapshot_last_run_sampled_rss_bytes"]}
    assert sampled == {"min": 100 * MB, "max": 150 * MB, "last": 120 * MB}
    assert _one(parsed, "customer_snapshot_last_run_words_per_second") == 200
    assert _one(parsed, "customer_snapshot_last_run_duration_seconds") == 2.0


def test_an_empty_store_exports_zero_counters_only(config: Config) -> None:
    parsed = _parse(render_prometheus(MetricsStore.for_config(config)))
    assert _one(parsed, "customer_snapshot_words_processed_total") == 0
    assert _one(parsed, "customer_snapshot_metrics_store_runs") == 0
    assert not any(name.startswith("customer_snapshot_last_") for name in parsed)
