"""MemoryTracker: snapshots, baseline growth, peak, spikes, bounded history, analysis."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest

from customer_snapshot.memory import tracker as tracker_module
from customer_snapshot.memory.rss import MB
from customer_snapshot.memory.tracker import MemoryTracker


@pytest.fixture
def fake_rss(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Feed the tracker RSS values (MB) from a list instead of the real process."""
    values: list[float] = []

    def process_memory() -> tuple[int, int]:
        rss = values.pop(0) if len(values) > 1 else values[0]
        return int(rss * MB), int(2 * rss * MB)

    monkeypatch.setattr(tracker_module, "process_memory", process_memory)
    yield values


def test_spec_example_runs() -> None:
    from customer_snapshot.utils.memory_optimizer import MemoryTracker as Exported

    assert Exported is MemoryTracker
    tracker = Exported()
    tracker.set_baseline()
    tracker.take_snapshot("Processing start")
    data = [bytearray(b"x" * 1024) for _ in range(100)]
    tracker.take_snapshot("Processing end")
    analysis = tracker.analyze_memory_usage()
    del data
    for key in (
        "baseline_mb",
        "current_mb",
        "peak_mb",
        "growth_mb",
        "snapshots",
        "spikes",
        "recommendations",
    ):
        assert key in analysis
    assert [s["label"] for s in analysis["snapshots"]] == [
        "baseline",
        "Processing start",
        "Processing end",
    ]
    json.dumps(analysis)  # JSON-ready


def test_snapshot_reads_the_real_process() -> None:
    t = MemoryTracker()
    snap = t.take_snapshot("now")
    assert snap.label == "now"
    assert 1 < snap.rss_mb < snap.vms_mb
    assert len(snap.gc_counts) == 3
    assert len(snap.gc_collections) == 3
    assert snap.objects is None  # not counted unless asked


def test_real_allocation_shows_as_growth_and_spike() -> None:
    t = MemoryTracker(spike_threshold_mb=30)
    t.set_baseline()
    block = b"x" * (80 * MB)  # touched pages: really resident
    t.take_snapshot("after allocation")
    assert t.growth_mb() > 60
    assert t.spike_count == 1
    spike = t.spikes[0]
    assert (spike.before, spike.after) == ("baseline", "after allocation")
    assert spike.increase_mb > 60
    assert t.peak is not None and t.peak.label == "after allocation"
    del block


def test_growth_peak_and_spikes_from_known_values(fake_rss: list[float]) -> None:
    fake_rss.extend([100, 110, 200, 205, 150, 150])
    t = MemoryTracker(spike_threshold_mb=50)
    t.set_baseline("start")  # 100
    t.take_snapshot("a")  # 110: +10, no spike
    t.take_snapshot("b")  # 200: +90, spike
    t.take_snapshot("c")  # 205: +5
    t.take_snapshot("d")  # 150
    analysis = t.analyze_memory_usage()  # now: 150
    assert analysis["baseline_mb"] == 100
    assert analysis["current_mb"] == 150
    assert analysis["peak_mb"] == 205
    assert analysis["peak_label"] == "c"
    assert analysis["growth_mb"] == 50
    assert analysis["spike_count"] == 1
    assert analysis["spikes"][0]["before"] == "a"
    assert analysis["spikes"][0]["after"] == "b"
    assert analysis["spikes"][0]["increase_mb"] == pytest.approx(90)
    assert any("spike" in r for r in analysis["recommendations"])


def test_a_fall_is_not_a_spike(fake_rss: list[float]) -> None:
    fake_rss.extend([500, 100, 500 - 1])
    t = MemoryTracker(spike_threshold_mb=500)
    t.take_snapshot()
    t.take_snapshot()
    t.take_snapshot()  # +399: below the threshold
    assert t.spikes == []


def test_recommendations(fake_rss: list[float]) -> None:
    fake_rss.extend([100, 100])
    stable = MemoryTracker()
    stable.set_baseline()
    assert stable.analyze_memory_usage()["recommendations"] == [
        "Memory usage looks stable; no action needed."
    ]

    fake_rss[:] = [100, 250]
    grew = MemoryTracker(spike_threshold_mb=1000)
    grew.set_baseline()
    recs = grew.analyze_memory_usage()["recommendations"]
    assert len(recs) == 1 and "grew by 150 MB" in recs[0]

    fake_rss[:] = [100, 700]
    critical = MemoryTracker(spike_threshold_mb=1000, limit_mb=750)
    critical.set_baseline()
    recs = critical.analyze_memory_usage()["recommendations"]
    assert any("critical" in r for r in recs)
    assert any("of the 750 MB limit" in r for r in recs)


def test_history_is_bounded_but_everything_is_counted(fake_rss: list[float]) -> None:
    fake_rss.extend([100.0, 200, 100, 200, 100, 200, 100, 200, 100, 200, 100, 200, 100])
    t = MemoryTracker(max_snapshots=5, max_spikes=2, spike_threshold_mb=50)
    for i in range(12):
        t.take_snapshot(f"s{i}")
    assert [s.label for s in t.snapshots] == ["s7", "s8", "s9", "s10", "s11"]
    assert t.snapshot_count == 12
    assert t.spike_count == 6
    assert len(t.spikes) == 2  # only the latest kept
    assert t.analyze_memory_usage()["snapshot_count"] == 12


def test_without_baseline_the_first_kept_snapshot_is_the_reference(
    fake_rss: list[float],
) -> None:
    fake_rss.extend([300, 320, 330])
    t = MemoryTracker()
    t.take_snapshot("first")
    t.take_snapshot("second")
    analysis = t.analyze_memory_usage()
    assert analysis["baseline_label"] == "first"
    assert analysis["growth_mb"] == 30
    assert t.baseline is None


def test_reset_forgets_everything(fake_rss: list[float]) -> None:
    fake_rss.extend([100, 300, 300])
    t = MemoryTracker(spike_threshold_mb=10)
    t.set_baseline()
    t.take_snapshot()
    assert t.spike_count == 1
    t.reset()
    assert (t.snapshots, t.spikes, t.spike_count, t.baseline, t.peak) == ([], [], 0, None, None)
    assert t.growth_mb() == 0.0


def test_count_objects_is_opt_in() -> None:
    t = MemoryTracker(count_objects=True)
    before = t.take_snapshot("before")
    keep = [[i] for i in range(50_000)]  # 50 000 tracked lists
    after = t.take_snapshot("after")
    assert before.objects is not None and after.objects is not None
    assert after.objects - before.objects >= 49_000
    del keep


def test_snapshots_from_many_threads_are_all_recorded() -> None:
    t = MemoryTracker(max_snapshots=10_000)

    def work() -> None:
        for _ in range(50):
            t.take_snapshot("t")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert t.snapshot_count == 200
    assert len(t.snapshots) == 200


def test_invalid_history_size() -> None:
    with pytest.raises(ValueError, match="max_snapshots"):
        MemoryTracker(max_snapshots=0)


def test_a_restarted_baseline_is_not_a_spike(fake_rss: list[float]) -> None:
    fake_rss.extend([20, 170, 175, 240, 240])
    t = MemoryTracker(spike_threshold_mb=50)
    t.take_snapshot("run start")  # 20
    t.set_baseline("model loaded", restart=True)  # 170: loading a model is not a spike
    t.take_snapshot("a")  # 175
    t.take_snapshot("b")  # 240: +65 is
    analysis = t.analyze_memory_usage()
    assert analysis["baseline_mb"] == 170 and analysis["growth_mb"] == 70
    assert [(s["before"], s["after"]) for s in analysis["spikes"]] == [("a", "b")]
