"""The memory spec's documented import path: ``customer_snapshot.utils.memory_optimizer``.

Re-exports the memory toolkit of :mod:`customer_snapshot.memory` and adds the spec's
:class:`StreamingVTTReader`, a thin object face on the streaming reader, and
:class:`~customer_snapshot.utils.streaming_nlp.MemoryEfficientNLPProcessor`::

    from customer_snapshot.utils.memory_optimizer import MemoryTracker, StreamingVTTReader

    reader = StreamingVTTReader()
    for subtitle in reader.read_streaming("large_file.vtt"):
        process_subtitle(subtitle)

Importing this module does not import spaCy or the reader: they load on first use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from customer_snapshot.memory import (
    AlertThresholds,
    BoundedCache,
    GCReport,
    MemoryAlert,
    MemoryLimit,
    MemoryLimitExceeded,
    MemoryMonitoringService,
    MemoryOptimizer,
    MemorySample,
    MemorySnapshot,
    MemorySpike,
    MemoryTracker,
    MemoryUsage,
    PeriodicCollector,
    ProcessingStrategy,
    adaptive_batch_size,
    apply_low_memory,
    compute_worker_count,
    get_memory_status,
    low_memory_batch_size,
    memory_limit,
    memory_profile,
    profile_block,
    start_memory_monitoring,
    stop_memory_monitoring,
    strategy_for_size,
)
from customer_snapshot.utils.streaming_nlp import MemoryEfficientNLPProcessor

if TYPE_CHECKING:
    from customer_snapshot.io.cue import Cue
    from customer_snapshot.io.reader import CueReader, Source

__all__ = [
    "AlertThresholds",
    "BoundedCache",
    "GCReport",
    "MemoryAlert",
    "MemoryEfficientNLPProcessor",
    "MemoryLimit",
    "MemoryLimitExceeded",
    "MemoryMonitoringService",
    "MemoryOptimizer",
    "MemorySample",
    "MemorySnapshot",
    "MemorySpike",
    "MemoryTracker",
    "MemoryUsage",
    "PeriodicCollector",
    "ProcessingStrategy",
    "StreamingVTTReader",
    "adaptive_batch_size",
    "apply_low_memory",
    "compute_worker_count",
    "get_memory_status",
    "low_memory_batch_size",
    "memory_limit",
    "memory_profile",
    "profile_block",
    "start_memory_monitoring",
    "stop_memory_monitoring",
    "strategy_for_size",
]


class StreamingVTTReader:
    """Reads a WebVTT (or SRT) transcript one cue at a time, whatever its size.

    Args:
        speaker_map: rename speakers while reading (``{"Speaker 1": "Jane Doe"}``).

    Attributes:
        reader: the :class:`~customer_snapshot.io.reader.CueReader` of the latest
            :meth:`read_streaming` call (its ``problems`` say what was skipped), or ``None``.
    """

    def __init__(self, *, speaker_map: Mapping[str, str] | None = None) -> None:
        self.speaker_map = dict(speaker_map or {})
        self.reader: CueReader | None = None

    def read_streaming(self, path: Source, *, strict: bool = False) -> Iterator[Cue]:
        """Yield the cues of ``path`` (a path or a binary/text stream) one at a time.

        Args:
            path: the transcript.
            strict: follow the W3C WebVTT parsing algorithm exactly.

        Raises:
            TranscriptFormatError: (while iterating) the input is not a transcript.
        """
        # Imported here: the memory tools load without the pipeline.
        from customer_snapshot.io.reader import read_cues

        self.reader = read_cues(path, strict=strict, speaker_map=self.speaker_map or None)
        yield from self.reader
