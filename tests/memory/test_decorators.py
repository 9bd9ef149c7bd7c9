"""@memory_profile and @memory_limit: logging, line-by-line profiles, a limit that really bites."""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator

import pytest

from customer_snapshot.config import Config
from customer_snapshot.errors import MemoryLimitExceeded
from customer_snapshot.memory import MemoryTracker, MemoryUsage, memory_limit, memory_profile
from customer_snapshot.memory.decorators import iter_guarded, profile_block
from customer_snapshot.memory.rss import MB, rss_mb

CHUNK = 10 * MB
LOGGER = "customer_snapshot.memory.decorators"


def _watchdogs() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("memory-limit-watchdog")]


def _hog(seen: dict[str, float], max_chunks: int = 150) -> None:
    """Allocate 10 MB at a time (pages touched), recording RSS when the limit strikes."""
    chunks = []
    try:
        for _ in range(max_chunks):
            chunks.append(b"x" * CHUNK)
    except MemoryError:
        seen["rss_mb"] = rss_mb()
        seen["chunks"] = len(chunks)
        raise
    pytest.fail(f"no limit hit after {max_chunks * 10} MB")


@pytest.fixture(autouse=True)
def _no_watchdog_left() -> Iterator[None]:
    yield
    deadline = time.monotonic() + 2
    while _watchdogs() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _watchdogs() == [], "a memory_limit watchdog thread outlived its call"


# -- memory_profile --------------------------------------------------------------------------


def test_memory_profile_bare_logs_each_call_and_keeps_the_function(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    @memory_profile
    def process_transcript(text: str) -> int:
        """Count words."""
        return len(text.split())

    caplog.set_level(logging.INFO, logger=LOGGER)
    assert process_transcript("a b c") == 3
    assert process_transcript("a") == 1
    assert process_transcript.__name__ == "process_transcript"
    assert process_transcript.__doc__ == "Count words."
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(lines) == 2
    assert "process_transcript" in lines[0]
    assert "MB ->" in lines[0] and "peak" in lines[0]
    out = capsys.readouterr()
    assert out.out == ""  # never stdout


def test_memory_profile_measures_delta_and_peak() -> None:
    results: list[MemoryUsage] = []

    @memory_profile(on_result=results.append, sample_interval=0.005)
    def allocate_and_keep() -> bytes:
        block = b"x" * (64 * MB)
        time.sleep(0.1)  # the GIL is free: the sampler sees the block
        return block

    kept = allocate_and_keep()
    u = results[0]
    assert u.label.endswith("allocate_and_keep")
    assert u.delta_mb > 50
    assert u.peak_mb >= u.rss_after_mb - 1
    assert u.peak_increase_mb > 50
    assert u.seconds >= 0.1
    assert u.error is None
    json.dumps(u.to_dict())
    del kept


def test_memory_profile_records_into_a_tracker() -> None:
    tracker = MemoryTracker()

    @memory_profile(tracker=tracker)
    def step() -> None:
        pass

    step()
    assert [s.label.split(".")[-1] for s in tracker.snapshots] == ["step start", "step end"]


def test_memory_profile_logs_and_reraises_errors(caplog: pytest.LogCaptureFixture) -> None:
    @memory_profile(sample_interval=None)
    def broken() -> None:
        raise ValueError("boom")

    caplog.set_level(logging.INFO, logger=LOGGER)
    with pytest.raises(ValueError, match="boom"):
        broken()
    assert "raised ValueError" in caplog.text


def test_line_by_line_profile_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    @memory_profile
    def profiled() -> int:
        data = [0] * 100_000
        total = len(data)
        return total

    caplog.set_level(logging.INFO, logger=LOGGER)
    monkeypatch.setenv("ENABLE_MEMORY_PROFILING", "false")
    assert profiled() == 100_000
    assert "Line #" not in caplog.text

    monkeypatch.setenv("ENABLE_MEMORY_PROFILING", "true")  # read at call time
    assert profiled() == 100_000
    assert "line by line" in caplog.text
    assert "Mem usage" in caplog.text and "Increment" in caplog.text
    assert "data = [0] * 100_000" in caplog.text
    assert capsys.readouterr().out == ""
    assert sys.gettrace() is None or "memory_profiler" not in repr(sys.gettrace())


def test_line_by_line_profile_from_a_passed_config(caplog: pytest.LogCaptureFixture) -> None:
    config = Config.from_env({})
    config.enable_memory_profiling = True

    @memory_profile(config=config, level=logging.DEBUG)
    def f() -> str:
        return "ok"

    caplog.set_level(logging.DEBUG, logger=LOGGER)
    assert f() == "ok"
    table = [r for r in caplog.records if "line by line" in r.getMessage()]
    assert len(table) == 1 and table[0].levelno == logging.DEBUG


def _line_traced() -> bool:
    """Whether a tracer follows this function's lines (it set a local trace for its frame)."""
    return sys._getframe().f_trace is not None


def test_line_by_line_traces_only_the_profiled_function(caplog: pytest.LogCaptureFixture) -> None:
    @memory_profile(label="stage one", line_by_line=True, sample_interval=None)
    def outer() -> tuple[bool, bool]:
        here = sys._getframe().f_trace is not None
        return here, _line_traced()

    caplog.set_level(logging.INFO, logger=LOGGER)
    # The profiled function's lines are traced; a function it calls runs at full speed.
    assert outer() == (True, False)
    messages = [r.getMessage() for r in caplog.records]
    table = next(m for m in messages if "line by line" in m)
    assert table.startswith("memory stage one, line by line:")
    assert "return here, _line_traced()" in table
    assert any(m.startswith("memory stage one: ") for m in messages)


def test_profile_block_context_manager() -> None:
    with profile_block("stage", sample_interval=None) as usage:
        pass
    assert usage.label == "stage"
    assert usage.rss_after_mb > 0 and usage.peak_mb >= usage.rss_before_mb


# -- memory_limit: the acceptance test -------------------------------------------------------

ACCEPTANCE = textwrap.dedent(
    """
    import json, threading
    from customer_snapshot.errors import MemoryLimitExceeded
    from customer_snapshot.memory.rss import rss_mb
    from customer_snapshot.utils.memory_optimizer import memory_limit

    seen = {"baseline_mb": rss_mb()}

    @memory_limit(300)
    def memory_limited_function():
        chunks = []
        try:
            for _ in range(100):
                chunks.append(b"x" * (10 * 1024 * 1024))
        except MemoryError:
            seen["rss_at_exception_mb"] = rss_mb()
            raise
        return "no limit"

    try:
        seen["returned"] = memory_limited_function()
    except Exception as exc:
        seen["type"] = type(exc).__module__ + "." + type(exc).__qualname__
        seen["is_limit"] = isinstance(exc, MemoryLimitExceeded)
        seen["is_memory_error"] = isinstance(exc, MemoryError)
        seen["limit_mb"] = exc.limit_mb
        seen["observed_mb"] = exc.observed_mb
        seen["where"] = exc.where

    @memory_limit(300)
    def small():
        return sum(range(1000))

    seen["after"] = small()  # the process goes on, limits still work
    seen["threads"] = [t.name for t in threading.enumerate()]
    print(json.dumps(seen))
    """
)


def test_memory_limit_300_stops_a_10mb_loop_before_450mb() -> None:
    """The issue's acceptance test, in a fresh interpreter so the baseline is small."""
    proc = subprocess.run(
        [sys.executable, "-c", ACCEPTANCE], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["baseline_mb"] < 250
    assert "returned" not in seen
    assert seen["type"] == "customer_snapshot.errors.MemoryLimitExceeded"
    assert seen["is_limit"] and seen["is_memory_error"]
    assert 300 <= seen["rss_at_exception_mb"] < 450
    assert seen["limit_mb"] == 300
    assert 300 < seen["observed_mb"] < 450
    assert seen["where"].endswith("memory_limited_function")
    assert seen["after"] == 499500
    assert seen["threads"] == ["MainThread"]


def test_memory_limit_in_process_relative_to_current_rss() -> None:
    limit = rss_mb() + 150
    seen: dict[str, float] = {}

    @memory_limit(limit)
    def hog() -> None:
        _hog(seen)

    with pytest.raises(MemoryLimitExceeded) as info:
        hog()
    exc = info.value
    assert type(exc) is MemoryLimitExceeded
    assert isinstance(exc, MemoryError)
    assert exc.limit_mb == pytest.approx(limit)
    assert limit < exc.observed_mb < limit + 150
    assert seen["rss_mb"] < limit + 150
    assert "hog" in str(exc)
    del info, exc

    # The process goes on, and limits keep working.
    @memory_limit(rss_mb() + 150)
    def fine() -> int:
        return sum(range(1000))

    assert fine() == 499500


def test_memory_limit_returns_normally_under_the_limit() -> None:
    calls = []

    @memory_limit(rss_mb() + 500)
    def small(x: int) -> int:
        calls.append(len(_watchdogs()))
        return x * 2

    assert small(21) == 42
    assert calls == [1]  # a watchdog ran during the call...
    # ...and is gone afterwards (checked by the autouse fixture)


def test_memory_limit_checks_at_the_start_and_the_end_of_a_call() -> None:
    ran = []

    @memory_limit(1)  # 1 MB: any Python process is above it
    def never_runs() -> None:
        ran.append(True)

    with pytest.raises(MemoryLimitExceeded) as info:
        never_runs()
    assert ran == []
    assert info.value.observed_mb > 1
    with pytest.raises(MemoryLimitExceeded), memory_limit(1):
        ran.append(True)
    assert ran == []

    limit = rss_mb() + 60

    @memory_limit(limit, interval=60)  # the watchdog never samples during the call
    def grows() -> bytes:
        return b"x" * (100 * MB)

    with pytest.raises(MemoryLimitExceeded) as info:
        grows()
    assert info.value.observed_mb > limit
    del info


def test_memory_limit_none_or_zero_is_no_limit() -> None:
    seen = []

    @memory_limit(0)
    def f() -> str:
        seen.append(len(_watchdogs()))
        return "ok"

    assert f() == "ok"
    assert seen == [0]
    with memory_limit(None):
        assert _watchdogs() == []


def test_memory_limit_as_context_manager() -> None:
    seen: dict[str, float] = {}
    limit = rss_mb() + 120
    with pytest.raises(MemoryLimitExceeded) as info, memory_limit(limit, where="block"):
        _hog(seen)
    assert type(info.value) is MemoryLimitExceeded
    assert info.value.where == "block"
    assert seen["rss_mb"] < limit + 150
    del info

    with memory_limit(rss_mb() + 500):
        x = sum(range(100))
    assert x == 4950


def test_nested_limits_report_the_one_that_fired() -> None:
    base = rss_mb()
    seen: dict[str, float] = {}

    @memory_limit(base + 100)
    def inner() -> None:
        _hog(seen)

    @memory_limit(base + 2000)
    def outer() -> str:
        try:
            inner()
        except MemoryLimitExceeded as exc:
            return f"recovered from {exc.where}"
        return "no error"

    assert outer().endswith("inner")

    @memory_limit(base + 10_000)
    def loose() -> None:
        _hog(seen)

    @memory_limit(base + 100)
    def tight() -> None:
        loose()

    with pytest.raises(MemoryLimitExceeded) as info:
        tight()
    assert info.value.where is not None and info.value.where.endswith("tight")
    assert info.value.limit_mb == pytest.approx(base + 100)


def test_a_limit_fires_once_and_the_function_may_recover() -> None:
    limit = rss_mb() + 100

    @memory_limit(limit)
    def careful() -> str:
        with contextlib.suppress(MemoryError):  # the chunks are gone; carry on
            _hog({})
        return "recovered"

    assert careful() == "recovered"


def test_memory_limit_is_per_thread() -> None:
    limit = rss_mb() + 100
    results: dict[str, object] = {}

    @memory_limit(limit)
    def worker() -> None:
        _hog({})

    def run() -> None:
        try:
            worker()
        except MemoryLimitExceeded as exc:
            results["worker"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=60)
    assert isinstance(results["worker"], MemoryLimitExceeded)
    # The main thread was never interrupted and carries on.
    assert sum(range(10)) == 45


def test_iter_guarded_limits_production_not_consumption() -> None:
    limit = rss_mb() + 100

    def produce() -> Iterator[bytes]:
        kept = []
        for _ in range(100):
            kept.append(b"x" * CHUNK)
            yield b"."

    got = []
    with pytest.raises(MemoryLimitExceeded):
        for item in iter_guarded(produce(), memory_limit(limit)):
            got.append(item)
    assert 1 <= len(got) < 100  # stopped part-way: the producer never finished


def test_memory_limit_rejects_generators_and_bad_values() -> None:
    def gen() -> Iterator[int]:
        yield 1

    with pytest.raises(TypeError, match="generator"):
        memory_limit(100)(gen)
    with pytest.raises(ValueError, match="negative"):
        memory_limit(-1)
    with pytest.raises(ValueError, match="interval"):
        memory_limit(100, interval=0)
