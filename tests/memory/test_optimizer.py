"""MemoryOptimizer: GC reports, registered caches, cleanup, mmap reading; the spec's paths."""

from __future__ import annotations

import functools
import gc
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from customer_snapshot.config import Config
from customer_snapshot.memory import BoundedCache, MemoryOptimizer, PeriodicCollector
from customer_snapshot.memory.rss import MB


@pytest.fixture
def optimizer() -> MemoryOptimizer:
    return MemoryOptimizer(Config.from_env({}))


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_force_garbage_collection_reports_collected_cycles(optimizer: MemoryOptimizer) -> None:
    gc.collect()
    gc.disable()  # so the cycles are still there when we ask
    try:
        for _ in range(1000):
            a, b = Node(), Node()
            a.other, b.other = b, a
        del a, b
        report = optimizer.force_garbage_collection()
    finally:
        gc.enable()
    assert report.collected >= 2000
    assert report.generation == 2
    assert report.rss_before_mb > 0 and report.rss_after_mb > 0
    assert report.freed_mb == pytest.approx(report.rss_before_mb - report.rss_after_mb)
    assert report.to_dict()["collected"] == report.collected


def test_registered_caches_of_every_kind_are_cleared(optimizer: MemoryOptimizer) -> None:
    plain: dict[str, int] = {"a": 1}
    bounded: BoundedCache[str, str] = BoundedCache(1)
    bounded["k"] = "v"

    @functools.cache
    def square(n: int) -> int:
        return n * n

    square(3)

    class Holder:
        def __init__(self) -> None:
            self.items = [1, 2]

        def reset(self) -> None:
            self.items.clear()

    holder = Holder()
    calls: list[str] = []

    assert optimizer.register_cache(plain) is plain
    optimizer.register_cache(bounded)
    optimizer.register_cache(square)
    optimizer.register_cache(holder.reset)
    optimizer.register_cache(lambda: calls.append("cleared"))
    optimizer.register_cache(plain)  # twice: registered once
    assert optimizer.cache_count == 5

    assert optimizer.clear_caches() == 5
    assert plain == {}
    assert len(bounded) == 0
    assert square.cache_info().currsize == 0
    assert holder.items == []
    assert calls == ["cleared"]


def test_registration_does_not_keep_objects_alive(optimizer: MemoryOptimizer) -> None:
    cache: BoundedCache[str, str] = BoundedCache(1, optimizer=optimizer)
    assert optimizer.cache_count == 1
    del cache
    gc.collect()
    assert optimizer.cache_count == 0
    assert optimizer.clear_caches() == 0


def test_unregister(optimizer: MemoryOptimizer) -> None:
    d: dict[int, int] = {1: 1}
    optimizer.register_cache(d)
    assert optimizer.unregister_cache(d) is True
    assert optimizer.unregister_cache(d) is False
    optimizer.clear_caches()
    assert d == {1: 1}


def test_unclearable_objects_are_refused(optimizer: MemoryOptimizer) -> None:
    with pytest.raises(TypeError, match="clear"):
        optimizer.register_cache(42)


def test_a_failing_cache_does_not_stop_the_others(
    optimizer: MemoryOptimizer, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("cannot clear")

    d = {"x": 1}
    optimizer.register_cache(broken)
    optimizer.register_cache(d)
    with caplog.at_level(logging.ERROR):
        assert optimizer.clear_caches() == 1
    assert d == {}
    assert "cannot clear" in caplog.text


def test_cleanup_resources_frees_a_registered_cache(optimizer: MemoryOptimizer) -> None:
    cache: dict[int, bytes] = {i: bytes([i]) * (5 * MB) for i in range(20)}  # 100 MB
    optimizer.register_cache(cache)
    freed = optimizer.cleanup_resources()
    assert isinstance(freed, float)
    assert cache == {}
    assert freed > 50
    assert optimizer.cleanup_resources() >= 0.0


def test_spec_custom_optimizer(optimizer: MemoryOptimizer) -> None:
    from customer_snapshot.utils.memory_optimizer import MemoryOptimizer as Exported

    assert Exported is MemoryOptimizer
    log: list[str] = []

    class CustomOptimizer(Exported):
        def optimize_for_batch_processing(self) -> None:
            log.append("custom")
            self.force_garbage_collection()
            self.clear_caches()

    custom = CustomOptimizer()
    d = {"a": 1}
    custom.register_cache(d)
    custom.optimize_for_batch_processing()
    assert log == ["custom"] and d == {}


def test_default_batch_optimization_clears_caches(optimizer: MemoryOptimizer) -> None:
    d = {"a": 1}
    optimizer.register_cache(d)
    optimizer.optimize_for_batch_processing()
    assert d == {}


# -- mmap reading -----------------------------------------------------------------------------


@pytest.fixture
def data_file(tmp_path: Path) -> Iterator[tuple[Path, bytes]]:
    data = os.urandom(2 * MB + 12345)
    path = tmp_path / "huge_file.vtt"
    path.write_bytes(data)
    yield path, data


def test_mmap_reader_yields_the_file_in_chunks(
    optimizer: MemoryOptimizer, data_file: tuple[Path, bytes]
) -> None:
    path, data = data_file
    chunks = list(optimizer.get_mmap_reader(path))  # the spec's call
    assert [len(c) for c in chunks] == [MB, MB, 12345]
    assert b"".join(chunks) == data
    assert all(isinstance(c, bytes) for c in chunks)


def test_mmap_reader_with_odd_chunk_sizes(
    optimizer: MemoryOptimizer, data_file: tuple[Path, bytes]
) -> None:
    path, data = data_file
    chunks = list(optimizer.get_mmap_reader(str(path), chunk_size=100_003))
    assert b"".join(chunks) == data
    assert max(len(c) for c in chunks) == 100_003


def test_mmap_reader_empty_and_missing_files(optimizer: MemoryOptimizer, tmp_path: Path) -> None:
    empty = tmp_path / "empty.vtt"
    empty.write_bytes(b"")
    assert list(optimizer.get_mmap_reader(empty)) == []
    with pytest.raises(FileNotFoundError):
        list(optimizer.get_mmap_reader(tmp_path / "missing.vtt"))
    with pytest.raises(ValueError, match="chunk_size"):
        optimizer.get_mmap_reader(empty, chunk_size=0)


def test_mmap_reader_closes_the_file_when_abandoned(
    optimizer: MemoryOptimizer, data_file: tuple[Path, bytes]
) -> None:
    path, _ = data_file
    reader = optimizer.get_mmap_reader(path)
    first = next(reader)
    reader.close()  # GeneratorExit runs the with blocks: no ResourceWarning
    assert len(first) == MB


# -- periodic collection ----------------------------------------------------------------------


def test_periodic_collector_follows_gc_frequency() -> None:
    optimizer = MemoryOptimizer(Config.from_env({"GC_FREQUENCY": "10"}))
    collector = optimizer.collector()
    ran = [collector.tick() for _ in range(35)]
    assert ran.count(True) == 3 and collector.collections == 3
    assert collector.tick(100) is True  # counts in bulk
    assert PeriodicCollector(0).tick() is False
    with pytest.raises(ValueError):
        PeriodicCollector(-1)


# -- the documented import paths --------------------------------------------------------------


def test_utils_config_is_the_one_config() -> None:
    from customer_snapshot.utils.config import Config as UtilsConfig

    assert UtilsConfig is Config
    config = UtilsConfig()
    config.enable_memory_monitoring = True
    config.memory_limit_mb = 1024
    config.streaming_threshold_mb = 10
    assert (config.memory_limit_mb, config.streaming_threshold_mb) == (1024, 10)


def test_memory_optimizer_module_exports_everything_it_lists() -> None:
    import customer_snapshot.utils.memory_optimizer as mo
    from customer_snapshot import memory

    for name in mo.__all__:
        assert hasattr(mo, name), name
    for name in memory.__all__:
        assert hasattr(memory, name), name
    for name in (
        "MemoryTracker",
        "StreamingVTTReader",
        "memory_profile",
        "memory_limit",
        "start_memory_monitoring",
        "stop_memory_monitoring",
        "get_memory_status",
        "MemoryOptimizer",
        "MemoryMonitoringService",
    ):
        assert name in mo.__all__, name


def test_streaming_vtt_reader(tmp_path: Path) -> None:
    from customer_snapshot.utils.memory_optimizer import StreamingVTTReader

    path = tmp_path / "call.vtt"
    path.write_text(
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.000\n<v Ann>Hello there\n\n"
        "00:00:03.000 --> 00:00:04.500\n<v Bob>Hi Ann\n",
        encoding="utf-8",
    )
    reader = StreamingVTTReader()
    cues = reader.read_streaming(str(path))
    first = next(cues)  # lazily, one at a time
    assert (first.speaker, first.text, first.start) == ("Ann", "Hello there", 1.0)
    rest = list(cues)
    assert [(c.speaker, c.end) for c in rest] == [("Bob", 4.5)]
    assert reader.reader is not None and reader.reader.cues_read == 2


def test_memory_tools_import_without_the_pipeline() -> None:
    code = (
        "import sys, customer_snapshot.memory, customer_snapshot.utils.memory_optimizer;"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc', 'nltk',"
        " 'memory_profiler', 'jinja2', 'docx') or m.startswith(('customer_snapshot.nlp',"
        " 'customer_snapshot.snapshot', 'customer_snapshot.render'))];"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
