"""Adaptive batch sizes, memory-aware worker counts, the size strategy, --low-memory."""

from __future__ import annotations

import logging

import pytest

from customer_snapshot.config import Config
from customer_snapshot.memory.sizing import (
    adaptive_batch_size,
    apply_low_memory,
    compute_worker_count,
    format_bytes,
    low_memory_batch_size,
    strategy_for_size,
)

GB = 1024**3
MB = 1024**2


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (0.0, 64),
        (0.399, 64),
        (0.40, 48),
        (0.599, 48),
        (0.60, 32),
        (0.80, 32),
        (0.801, 16),
        (1.0, 16),
        (3.0, 16),
    ],
)
def test_adaptive_batch_size_bands(ratio: float, expected: int) -> None:
    assert adaptive_batch_size(64, ratio) == expected


def test_adaptive_batch_size_never_below_one() -> None:
    assert adaptive_batch_size(1, 0.99) == 1
    assert adaptive_batch_size(3, 0.7) == 1
    with pytest.raises(ValueError):
        adaptive_batch_size(0, 0.1)


def test_low_memory_batch_size() -> None:
    assert [low_memory_batch_size(n) for n in (1, 2, 3, 8)] == [1, 1, 1, 4]


def test_worker_count_explains_the_calculation(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="customer_snapshot.memory.sizing")
    count, why = compute_worker_count(2 * GB, available_bytes=int(20.1 * GB), cpus=2)
    assert count == 2
    assert why == "available 20.1 GB / 2.0 GB per worker = 10, capped by 2 CPUs -> 2"
    assert why in caplog.text


def test_worker_count_limited_by_memory() -> None:
    count, why = compute_worker_count(512 * MB, available_bytes=3 * GB, cpus=16)
    assert count == 6
    assert why == "available 3.0 GB / 512.0 MB per worker = 6 -> 6"


def test_worker_count_caps_and_low_memory() -> None:
    count, why = compute_worker_count(GB, available_bytes=32 * GB, cpus=16, max_workers=4)
    assert count == 4 and "capped by max_workers=4" in why
    count, why = compute_worker_count(
        GB, available_bytes=32 * GB, cpus=16, max_workers=4, low_memory=True
    )
    assert count == 2 and why.endswith("halved for --low-memory -> 2")
    count, _ = compute_worker_count(GB, available_bytes=32 * GB, cpus=1, low_memory=True)
    assert count == 1


def test_worker_count_is_at_least_one() -> None:
    count, why = compute_worker_count(4 * GB, available_bytes=100 * MB, cpus=8)
    assert count == 1
    assert why == "available 100.0 MB / 4.0 GB per worker = 0, at least 1 -> 1"
    with pytest.raises(ValueError):
        compute_worker_count(0)


def test_worker_count_measures_the_machine_by_default() -> None:
    config = Config.from_env({"MEMORY_LIMIT_PER_WORKER": "256MB"})
    count, why = compute_worker_count(config.memory_limit_per_worker)
    assert count >= 1
    assert "per worker" in why and why.endswith(f"-> {count}")


@pytest.mark.parametrize(
    ("size_mb", "name"),
    [
        (0, "standard"),
        (9.99, "standard"),
        (10, "streaming"),
        (50, "streaming"),
        (50.01, "full-streaming"),
        (5000, "full-streaming"),
    ],
)
def test_strategy_thresholds(size_mb: float, name: str) -> None:
    assert strategy_for_size(int(size_mb * MB), Config.from_env({})).name == name


def test_strategy_gets_more_aggressive_with_size() -> None:
    config = Config.from_env({"GC_FREQUENCY": "1000"})
    small, medium, large = (strategy_for_size(n * MB, config) for n in (1, 20, 100))
    assert not small.streaming and medium.streaming and large.streaming
    assert small.gc_every > medium.gc_every > large.gc_every > 0
    assert small.nlp_batch_size > medium.nlp_batch_size > large.nlp_batch_size >= 1
    assert "MB" in large.reason
    assert large.to_dict()["name"] == "full-streaming"


def test_strategy_follows_the_configured_threshold() -> None:
    config = Config.from_env({"STREAMING_THRESHOLD_MB": "5"})  # the spec's production setting
    assert strategy_for_size(4 * MB, config).name == "standard"
    assert strategy_for_size(6 * MB, config).name == "streaming"
    high = Config.from_env({"STREAMING_THRESHOLD_MB": "100"})
    assert strategy_for_size(80 * MB, high).name == "standard"
    assert strategy_for_size(120 * MB, high).name == "full-streaming"


def test_strategy_gc_never_stays_never_and_unknown_sizes_stream() -> None:
    config = Config.from_env({"GC_FREQUENCY": "0"})
    assert strategy_for_size(500 * MB, config).gc_every == 0
    unknown = strategy_for_size(None, config)
    assert unknown.name == "full-streaming" and unknown.size_bytes is None


def test_low_memory_mode() -> None:
    config = Config.from_env({"BATCH_SIZE": "8", "ENABLE_MEMORY_MONITORING": "false"})
    low = apply_low_memory(config)
    assert (low.low_memory, low.batch_size, low.enable_memory_monitoring) == (True, 4, True)
    assert config.low_memory is False  # a copy
    assert apply_low_memory(low) is low  # not halved twice
    normal = strategy_for_size(MB, config)
    halved = strategy_for_size(MB, low)
    assert halved.nlp_batch_size == normal.nlp_batch_size // 2
    assert "--low-memory" in halved.reason


def test_format_bytes() -> None:
    assert format_bytes(0) == "0 B"
    assert format_bytes(1536) == "1.5 KB"
    assert format_bytes(3 * GB) == "3.0 GB"
