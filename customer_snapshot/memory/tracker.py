"""``MemoryTracker``: labelled memory snapshots, growth against a baseline, peaks and spikes.

A snapshot is cheap (one ``/proc`` read and ``gc.get_count()``), so a stage can take one per
chunk. The history is a bounded deque: a tracker left running over a 1 GB transcript keeps the
last ``max_snapshots`` snapshots, while the peak, the spike list (also bounded) and the
baseline cover the whole run.

Example (the memory spec's)::

    tracker = MemoryTracker()
    tracker.set_baseline()
    tracker.take_snapshot("Processing start")
    ...
    tracker.take_snapshot("Processing end")
    analysis = tracker.analyze_memory_usage()
"""

from __future__ import annotations

import gc
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from customer_snapshot.memory.rss import MB, peak_rss_bytes, process_memory

__all__ = ["MemorySnapshot", "MemorySpike", "MemoryTracker"]


@dataclass(frozen=True, slots=True)
class MemorySnapshot:
    """Memory of the process at one moment.

    Attributes:
        label: what the program was doing (``"Processing start"``).
        timestamp: ``time.time()`` when it was taken.
        rss_mb: resident set size, MB.
        vms_mb: virtual memory size, MB.
        gc_counts: ``gc.get_count()``: allocations minus deallocations since the last
            collection of generations 0, 1 and 2 (cheap; a rising generation-0 count between
            snapshots means many new container objects).
        gc_collections: collections run so far per generation (from ``gc.get_stats()``).
        gc_uncollectable: uncollectable objects the collector has found so far (all
            generations).
        objects: ``len(gc.get_objects())``, the number of objects the collector tracks, or
            ``None`` unless the tracker was made with ``count_objects=True`` (it walks every
            object, so it costs milliseconds per snapshot on a large heap).
    """

    label: str
    timestamp: float
    rss_mb: float
    vms_mb: float
    gc_counts: tuple[int, int, int]
    gc_collections: tuple[int, ...]
    gc_uncollectable: int
    objects: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        d = asdict(self)
        d["gc_counts"] = list(self.gc_counts)
        d["gc_collections"] = list(self.gc_collections)
        return d


@dataclass(frozen=True, slots=True)
class MemorySpike:
    """A jump in RSS between two consecutive snapshots larger than the tracker's threshold.

    Attributes:
        before: label of the earlier snapshot.
        after: label of the later snapshot.
        increase_mb: how much RSS rose between them.
        rss_mb: RSS at the later snapshot.
        timestamp: when the later snapshot was taken.
    """

    before: str
    after: str
    increase_mb: float
    rss_mb: float
    timestamp: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


def _snapshot(label: str, count_objects: bool) -> MemorySnapshot:
    rss, vms = process_memory()
    stats = gc.get_stats()
    c0, c1, c2 = gc.get_count()
    return MemorySnapshot(
        label=label,
        timestamp=time.time(),
        rss_mb=rss / MB,
        vms_mb=vms / MB,
        gc_counts=(c0, c1, c2),
        gc_collections=tuple(int(s.get("collections", 0)) for s in stats),
        gc_uncollectable=sum(int(s.get("uncollectable", 0)) for s in stats),
        objects=len(gc.get_objects()) if count_objects else None,
    )


class MemoryTracker:
    """Tracks the process's memory through labelled snapshots.

    Thread-safe: stages running in threads may share a tracker.

    Args:
        max_snapshots: how many snapshots the history keeps (oldest dropped first).
        spike_threshold_mb: an RSS rise between consecutive snapshots above this is a spike.
        max_spikes: how many spikes are kept (oldest dropped first; all are counted).
        count_objects: also count every object the garbage collector tracks (slow on big
            heaps; see :attr:`MemorySnapshot.objects`).
        limit_mb: a memory limit to judge the peak against in the recommendations.
    """

    def __init__(
        self,
        *,
        max_snapshots: int = 1000,
        spike_threshold_mb: float = 50.0,
        max_spikes: int = 100,
        count_objects: bool = False,
        limit_mb: float | None = None,
    ) -> None:
        if max_snapshots < 1:
            raise ValueError("max_snapshots must be at least 1")
        self.spike_threshold_mb = float(spike_threshold_mb)
        self.count_objects = count_objects
        self.limit_mb = limit_mb
        self._lock = threading.Lock()
        self._snapshots: deque[MemorySnapshot] = deque(maxlen=max_snapshots)
        self._spikes: deque[MemorySpike] = deque(maxlen=max(1, max_spikes))
        self._spike_count = 0
        self._taken = 0
        self._baseline: MemorySnapshot | None = None
        self._last: MemorySnapshot | None = None
        self._peak: MemorySnapshot | None = None

    # -- recording ---------------------------------------------------------------------------

    def set_baseline(self, label: str = "baseline", *, restart: bool = False) -> MemorySnapshot:
        """Take a snapshot and measure growth from it from now on.

        It also enters the history, so a spike is measured from it too.

        Args:
            label: the snapshot's label.
            restart: also start spike detection afresh: a step up since the previous snapshot
                (loading a model before the work starts) is not a spike.
        """
        if restart:
            with self._lock:
                self._last = None
        snap = self.take_snapshot(label)
        with self._lock:
            self._baseline = snap
        return snap

    def take_snapshot(self, label: str = "") -> MemorySnapshot:
        """Record the process's memory now, under ``label``, and check for a spike."""
        snap = _snapshot(label or f"snapshot {self._taken + 1}", self.count_objects)
        with self._lock:
            self._taken += 1
            last = self._last
            if last is not None and snap.rss_mb - last.rss_mb > self.spike_threshold_mb:
                self._spike_count += 1
                self._spikes.append(
                    MemorySpike(
                        before=last.label,
                        after=snap.label,
                        increase_mb=snap.rss_mb - last.rss_mb,
                        rss_mb=snap.rss_mb,
                        timestamp=snap.timestamp,
                    )
                )
            if self._peak is None or snap.rss_mb > self._peak.rss_mb:
                self._peak = snap
            self._snapshots.append(snap)
            self._last = snap
        return snap

    def reset(self) -> None:
        """Forget every snapshot, spike, the peak and the baseline."""
        with self._lock:
            self._snapshots.clear()
            self._spikes.clear()
            self._spike_count = 0
            self._taken = 0
            self._baseline = self._last = self._peak = None

    # -- reading -----------------------------------------------------------------------------

    @property
    def baseline(self) -> MemorySnapshot | None:
        """The baseline snapshot, or ``None`` before :meth:`set_baseline`."""
        return self._baseline

    @property
    def snapshots(self) -> list[MemorySnapshot]:
        """The kept snapshots, oldest first (a copy)."""
        with self._lock:
            return list(self._snapshots)

    @property
    def spikes(self) -> list[MemorySpike]:
        """The kept spikes, oldest first (a copy)."""
        with self._lock:
            return list(self._spikes)

    @property
    def spike_count(self) -> int:
        """How many spikes were detected (including ones dropped from :attr:`spikes`)."""
        return self._spike_count

    @property
    def snapshot_count(self) -> int:
        """How many snapshots were taken (including ones dropped from :attr:`snapshots`)."""
        return self._taken

    @property
    def peak(self) -> MemorySnapshot | None:
        """The snapshot with the highest RSS so far."""
        return self._peak

    def _reference(self) -> MemorySnapshot | None:
        """The baseline, or the first snapshot still kept when no baseline was set."""
        with self._lock:
            if self._baseline is not None:
                return self._baseline
            return self._snapshots[0] if self._snapshots else None

    def growth_mb(self) -> float:
        """RSS now minus RSS at the baseline (or the first snapshot), MB; 0 with neither."""
        ref = self._reference()
        if ref is None:
            return 0.0
        rss, _ = process_memory()
        return rss / MB - ref.rss_mb

    # -- analysis ----------------------------------------------------------------------------

    def analyze_memory_usage(self) -> dict[str, Any]:
        """Summarise the run: baseline, current, peak, growth, snapshots, spikes, advice.

        Returns:
            A JSON-ready dict with ``baseline_mb``, ``current_mb``, ``vms_mb``, ``peak_mb`` (the
            highest snapshot), ``process_peak_mb`` (the kernel's high-water mark, which also
            catches peaks between snapshots), ``growth_mb``, ``snapshot_count``,
            ``snapshots`` (kept ones, as dicts), ``spike_count``, ``spikes``, ``gc`` (collector
            counters now) and ``recommendations`` (sentences for a person). Without a
            baseline the first kept snapshot serves as one.
        """
        now = _snapshot("analysis", self.count_objects)
        ref = self._reference()
        with self._lock:
            snapshots = list(self._snapshots)
            spikes = list(self._spikes)
            spike_count = self._spike_count
            taken = self._taken
            peak = self._peak
        baseline_mb = ref.rss_mb if ref is not None else now.rss_mb
        peak_mb = max(now.rss_mb, peak.rss_mb if peak is not None else 0.0)
        growth = now.rss_mb - baseline_mb
        result: dict[str, Any] = {
            "baseline_mb": round(baseline_mb, 2),
            "baseline_label": ref.label if ref is not None else None,
            "current_mb": round(now.rss_mb, 2),
            "vms_mb": round(now.vms_mb, 2),
            "peak_mb": round(peak_mb, 2),
            "peak_label": peak.label if peak is not None and peak.rss_mb >= now.rss_mb else None,
            "process_peak_mb": round(peak_rss_bytes() / MB, 2),
            "growth_mb": round(growth, 2),
            "snapshot_count": taken,
            "snapshots": [s.to_dict() for s in snapshots],
            "spike_count": spike_count,
            "spikes": [s.to_dict() for s in spikes],
            "gc": {
                "counts": list(now.gc_counts),
                "collections": list(now.gc_collections),
                "uncollectable": now.gc_uncollectable,
                "objects": now.objects,
            },
        }
        result["recommendations"] = self._recommendations(growth, peak_mb, spikes, now, ref)
        return result

    def _recommendations(
        self,
        growth: float,
        peak_mb: float,
        spikes: list[MemorySpike],
        now: MemorySnapshot,
        ref: MemorySnapshot | None,
    ) -> list[str]:
        advice: list[str] = []
        if growth > 500:
            advice.append(
                f"Memory grew by {growth:.0f} MB since the baseline (critical): something "
                "keeps data across chunks; stream the input and keep only bounded aggregates."
            )
        elif growth > 100:
            advice.append(
                f"Memory grew by {growth:.0f} MB since the baseline: look for lists or caches "
                "that grow with the input, and run gc.collect() after large chunks."
            )
        if spikes:
            worst = max(spikes, key=lambda s: s.increase_mb)
            advice.append(
                f"{self._spike_count} memory spike(s) above {self.spike_threshold_mb:.0f} MB; "
                f"the largest (+{worst.increase_mb:.0f} MB) happened between "
                f"{worst.before!r} and {worst.after!r}: process that step in smaller batches."
            )
        if self.limit_mb:
            ratio = peak_mb / self.limit_mb
            if ratio > 0.8:
                advice.append(
                    f"Peak memory {peak_mb:.0f} MB is {ratio:.0%} of the {self.limit_mb:.0f} MB "
                    "limit: lower CHUNK_SIZE or the batch size, or use --low-memory."
                )
        if now.gc_uncollectable:
            advice.append(
                f"The garbage collector found {now.gc_uncollectable} uncollectable object(s): "
                "check for reference cycles through objects with __del__."
            )
        if ref is not None and now.objects is not None and ref.objects is not None:
            added = now.objects - ref.objects
            if added > 100_000:
                advice.append(
                    f"{added} more tracked objects than at the baseline: objects are "
                    "accumulating; clear caches or drop references after each chunk."
                )
        if not advice:
            advice.append("Memory usage looks stable; no action needed.")
        return advice
