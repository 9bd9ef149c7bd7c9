"""The memory spec's test suite, shipped with the package so a deployment can check itself.

``python test_memory_optimization.py`` (the repository's entry point) or
``python -m customer_snapshot.utils.selftest`` runs every check and exits 1 if one fails; pytest
collects the same checks through the entry point. Each check works on real files it generates
in a temporary folder, the real spaCy pipeline and real memory, and asserts what the spec
promises.
"""

from __future__ import annotations

import gc
import logging
import random
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["MemoryOptimizationTester", "main", "write_transcript"]

MB = 1024 * 1024

_SPEAKERS = ("Maya Chen", "Owen Fitzgerald", "Priya Natarajan")
_SENTENCES = (
    "Northwind Health rolled out the new dispatch dashboards in Boise last spring.",
    "Our main problem was the manual reconciliation across eleven systems.",
    "Adoption is at 82 percent and we saved roughly $240,000 in the first quarter.",
    "Next we plan to add forecasting for the warehouse network in Denver.",
    "Brightwell Systems helped us cut the month-end close from three days to one.",
    "Can you walk me through how the crews use the tablets in the field?",
)


def write_transcript(path: Path, *, megabytes: float = 0.0, cues: int = 0, seed: int = 7) -> int:
    """Write a WebVTT call of at least ``cues`` cues and ``megabytes`` MB; returns the cue count.

    Three speakers (Zoom-style ``Name: text``) take turns saying sentences that name people,
    organisations, places, money and percentages.
    """
    rng = random.Random(seed)
    target = int(megabytes * MB)
    n = size = 0
    t = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("WEBVTT\n\n")
        size = 8
        while n < cues or size < target:
            n += 1
            speaker = _SPEAKERS[(n // 2) % len(_SPEAKERS)]
            text = " ".join(rng.sample(_SENTENCES, 2))
            length = rng.randint(2000, 6000)
            block = f"{n}\n{_ts(t)} --> {_ts(t + length)}\n{speaker}: {text}\n\n"
            out.write(block)
            size += len(block.encode("utf-8"))
            t += length
    return n


def _ts(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, f = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{f:03d}"


def _watchdogs() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("memory-limit-watchdog")]


class MemoryOptimizationTester:
    """The spec's checks: ``t = MemoryOptimizationTester(); t.test_streaming_vtt_reader()``.

    Every ``test_*`` method raises ``AssertionError`` when the promise it checks is broken.
    (No ``__init__``: pytest collects a ``Test*`` subclass of it.)
    """

    _workdir: tempfile.TemporaryDirectory[str] | None = None

    def _dir(self) -> Path:
        if self._workdir is None:
            self._workdir = tempfile.TemporaryDirectory(prefix="memory-selftest-")
        return Path(self._workdir.name)

    def _call(self, cues: int = 120) -> Path:
        path = self._dir() / f"call_{cues}.vtt"
        if not path.exists():
            write_transcript(path, cues=cues)
        return path

    def cleanup(self) -> None:
        """Remove the generated files."""
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    # -- the spec's checks -------------------------------------------------------------------

    def test_streaming_vtt_reader(self) -> None:
        """Transcripts are read one cue at a time, in the same small memory at any size."""
        from customer_snapshot.memory.decorators import profile_block
        from customer_snapshot.utils.memory_optimizer import StreamingVTTReader

        increase: dict[int, float] = {}
        for megabytes in (4, 24):
            path = self._dir() / "large_file.vtt"
            written = write_transcript(path, megabytes=megabytes)
            reader = StreamingVTTReader()
            count = 0
            first = last = None
            gc.collect()
            with profile_block(f"read {megabytes} MB", sample_interval=0.005) as usage:
                for cue in reader.read_streaming(path):
                    if first is None:
                        first = cue
                    last = cue
                    count += 1
            assert count == written, (count, written)
            assert first is not None and last is not None
            assert first.speaker in _SPEAKERS and first.identifier == "1" and first.start == 0
            assert last.identifier == str(written) and last.end > first.end
            assert reader.reader is not None and reader.reader.format == "webvtt"
            increase[megabytes] = usage.peak_increase_mb
            path.unlink()
        # Flat: six times the file, about the same few MB (the reader's 1 MiB blocks).
        assert increase[24] < increase[4] + 4, increase
        assert increase[24] < 24 / 2, increase

    def test_memory_tracker(self) -> None:
        """Baseline, labelled snapshots, growth, peak and a detected spike, as a dict."""
        from customer_snapshot.utils.memory_optimizer import MemoryTracker

        tracker = MemoryTracker(spike_threshold_mb=30)
        tracker.set_baseline()
        tracker.take_snapshot("Processing start")
        block = b"x" * (64 * MB)  # every page written: really resident
        tracker.take_snapshot("Processing end")
        analysis = tracker.analyze_memory_usage()
        assert isinstance(analysis, dict)
        assert analysis["growth_mb"] > 50, analysis["growth_mb"]
        assert analysis["peak_label"] in ("Processing end", None)
        assert analysis["peak_mb"] >= analysis["baseline_mb"] + 50
        assert analysis["spike_count"] == 1
        assert analysis["spikes"][0]["after"] == "Processing end"
        assert [s["label"] for s in analysis["snapshots"]] == [
            "baseline", "Processing start", "Processing end"
        ]  # fmt: skip
        assert all(s["vms_mb"] >= s["rss_mb"] > 0 for s in analysis["snapshots"])
        assert len(analysis["snapshots"][0]["gc_counts"]) == 3
        assert any("spike" in r for r in analysis["recommendations"])
        del block

    def test_nlp_processor(self) -> None:
        """Streaming NLP: lazy model, whole sentences per chunk, entities, nothing lost."""
        from customer_snapshot.config import Config
        from customer_snapshot.utils.memory_optimizer import MemoryEfficientNLPProcessor

        rng = random.Random(3)
        large_text = " ".join(rng.choice(_SENTENCES) for _ in range(150))  # ~2,000 words
        processor = MemoryEfficientNLPProcessor(Config(), chunk_size=150)
        assert not processor.loaded  # lazy: nothing loaded before the first chunk
        results = list(processor.process_text_streaming(large_text))
        assert processor.loaded
        assert "".join(r["text"] for r in results) == large_text
        assert len(results) >= 10
        sentences = [s for r in results for s in r["sentences"]]
        assert len(sentences) == 150, len(sentences)
        assert set(sentences) <= set(_SENTENCES)  # every sentence whole
        found = {e["text"] for r in results for e in r["entities"]}
        assert {"Boise", "Denver", "Northwind Health", "Brightwell Systems"} <= found, found
        for r in results:
            for e in r["entities"]:
                assert large_text[e["start_char"] : e["end_char"]] == e["text"]

    def test_memory_limit(self) -> None:
        """@memory_limit stops a 10 MB-at-a-time loop soon after the limit; the process goes on."""
        from customer_snapshot.memory.rss import rss_mb
        from customer_snapshot.utils.memory_optimizer import (
            MemoryLimitExceeded,
            MemoryOptimizer,
            memory_limit,
        )

        gc.collect()
        limit = rss_mb() + 150
        seen: dict[str, float] = {}

        @memory_limit(limit)
        def memory_limited_function() -> int:
            chunks = []
            try:
                for _ in range(150):  # 1.5 GB if nothing stopped it
                    chunks.append(b"x" * (10 * MB))
            except MemoryError:
                seen["rss"] = rss_mb()
                raise
            return len(chunks)

        try:
            memory_limited_function()
        except MemoryLimitExceeded as exc:
            assert isinstance(exc, MemoryError)
            assert exc.limit_mb == limit and limit < exc.observed_mb < limit + 150
            assert exc.where is not None and "memory_limited_function" in exc.where
        else:
            raise AssertionError("the limit never fired")
        assert limit < seen["rss"] < limit + 150, (limit, seen)
        freed = MemoryOptimizer().cleanup_resources()
        assert rss_mb() < limit, "the allocations were released when the call unwound"
        assert freed >= 0
        deadline = time.monotonic() + 2
        while _watchdogs() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not _watchdogs()

    def test_monitoring_service(self) -> None:
        """Background sampling, bounded history, alerts at the spec's thresholds, status."""
        from customer_snapshot.config import Config
        from customer_snapshot.memory.rss import rss_mb
        from customer_snapshot.utils.memory_optimizer import (
            MemoryAlert,
            get_memory_status,
            start_memory_monitoring,
            stop_memory_monitoring,
        )

        alerts: list[MemoryAlert] = []
        gc.collect()
        # Usage at ~85% of the limit (the spec's warning is > 80%): the first sample warns.
        limit = rss_mb() / 0.85
        service = start_memory_monitoring(Config(), interval=0.02, history=5, limit_mb=limit)
        try:
            service.add_alert_callback(alerts.append)
            assert [(a.metric, a.level) for a in service.alerts] == [("usage", "warning")]
            block = b"x" * (120 * MB)  # growth > 100 MB (warning); usage > 90% (critical)

            def wait_for(done: Callable[[], bool]) -> None:
                deadline = time.monotonic() + 5
                while not done() and time.monotonic() < deadline:
                    time.sleep(0.01)

            wait_for(lambda: len(alerts) >= 2)
            assert {(a.metric, a.level) for a in alerts} == {
                ("usage", "critical"),
                ("growth", "warning"),
            }, alerts
            assert all(a.message for a in alerts)
            wait_for(lambda: service.sample_count >= 8)
            assert service.is_running
            assert len(service.samples) == 5  # bounded history
            status = get_memory_status()
            assert status["monitoring"] is True and status["samples"] >= 8
            assert status["usage_ratio"] > 0.9 and status["growth_mb"] > 100
            assert {a["metric"] for a in status["alerts"]} == {"usage", "growth"}
            del block
        finally:
            stopped = stop_memory_monitoring()
        assert stopped is service and not service.is_running
        assert get_memory_status()["monitoring"] is False

    def test_full_processor(self) -> None:
        """The whole pipeline under a limit: every stage measured; over it, nothing written."""
        from customer_snapshot.config import Config
        from customer_snapshot.errors import MemoryLimitExceeded
        from customer_snapshot.memory.rss import rss_mb
        from customer_snapshot.pipeline import STAGES, process_file

        path = self._call()
        out = self._dir() / "out"
        config = Config(progress=False)
        config.memory_limit_mb = rss_mb() + 400
        result = process_file(path, formats="all", output=f"{out}/", config=config)
        assert sorted(Path(p).suffix for p in result.outputs) == [".docx", ".html", ".json", ".md"]
        assert all(Path(p).stat().st_size > 0 for p in result.outputs)
        stages = result.metrics["stages"]
        assert list(stages) == list(STAGES)
        assert all(s["peak_rss_mb"] <= config.memory_limit_mb for s in stages.values())
        assert result.metrics["words_per_second"] > 0
        names = {p["name"] for p in result.snapshot.participants}
        assert names == set(_SPEAKERS), names
        config.memory_limit_mb = 1  # far below what the process already holds
        empty = self._dir() / "empty"
        try:
            process_file(path, formats="all", output=f"{empty}/", config=config)
        except MemoryLimitExceeded as exc:
            assert exc.where == "the read stage"
        else:
            raise AssertionError("a 1 MB limit did not stop the run")
        assert not empty.exists()


def _tests() -> list[str]:
    return [n for n in dir(MemoryOptimizationTester) if n.startswith("test_")]


def main(argv: list[str] | None = None, *, out: Any = None) -> int:
    """Run every check (or those named in ``argv``); 0 when all pass, 1 otherwise."""
    out = out or sys.stdout
    # The monitoring check raises alerts on purpose: keep them out of the report.
    quiet = logging.getLogger("customer_snapshot")
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
    names = list(argv) if argv else _tests()
    tester = MemoryOptimizationTester()
    failed = 0
    try:
        for name in names:
            check: Callable[[], None] = getattr(tester, name)
            t0 = time.perf_counter()
            try:
                check()
            except Exception:  # noqa: BLE001 - report every failing check, run the rest
                failed += 1
                print(f"FAIL {name} ({time.perf_counter() - t0:.1f} s)", file=out)
                traceback.print_exc(file=out)
            else:
                print(f"ok   {name} ({time.perf_counter() - t0:.1f} s)", file=out)
    finally:
        tester.cleanup()
    print(f"{len(names) - failed} passed, {failed} failed", file=out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
