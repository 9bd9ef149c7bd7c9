"""Sizing work to memory: batch sizes, worker counts and the per-file processing strategy.

All functions here are pure given their inputs (the ones that measure the machine take the
measured values as optional arguments), so they are tested without touching real memory.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from customer_snapshot.config import Config
from customer_snapshot.memory.rss import MB, available_cpus, effective_available_bytes

__all__ = [
    "FULL_STREAMING_THRESHOLD_MB",
    "ProcessingStrategy",
    "adaptive_batch_size",
    "apply_low_memory",
    "compute_worker_count",
    "format_bytes",
    "low_memory_batch_size",
    "strategy_for_size",
]

log = logging.getLogger(__name__)

FULL_STREAMING_THRESHOLD_MB = 50.0  # the spec's "large files (> 50MB)": full streaming + GC


def adaptive_batch_size(base: int, usage_ratio: float) -> int:
    """Shrink a batch size as memory usage approaches its limit.

    Usage below 40 % of the limit keeps the full batch; 40-60 % gives 75 %; 60-80 % gives 50 %;
    above 80 % gives 25 %. Never below 1.

    >>> [adaptive_batch_size(100, r) for r in (0.1, 0.39, 0.4, 0.59, 0.6, 0.8, 0.81, 1.5)]
    [100, 100, 75, 75, 50, 50, 25, 25]
    >>> adaptive_batch_size(2, 0.95)
    1

    Args:
        base: the batch size with plenty of memory.
        usage_ratio: memory in use / memory limit (e.g. ``get_memory_status()["usage_ratio"]``).
    """
    if base < 1:
        raise ValueError("base must be at least 1")
    if usage_ratio < 0.4:
        factor = 1.0
    elif usage_ratio < 0.6:
        factor = 0.75
    elif usage_ratio <= 0.8:
        factor = 0.5
    else:
        factor = 0.25
    return max(1, int(base * factor))


def low_memory_batch_size(base: int) -> int:
    """The batch size under ``--low-memory``: half, never below 1.

    >>> low_memory_batch_size(8), low_memory_batch_size(1)
    (4, 1)
    """
    return max(1, base // 2)


def apply_low_memory(config: Config) -> Config:
    """The settings of ``--low-memory``: a copy with half the batch size, monitoring on.

    Worker counts are halved by ``compute_worker_count(..., low_memory=config.low_memory)``
    and NLP batches by :func:`strategy_for_size`, which read the ``low_memory`` flag set here.

    >>> from customer_snapshot.config import Config
    >>> c = apply_low_memory(Config.from_env({"BATCH_SIZE": "8", "ENABLE_MEMORY_MONITORING": "0"}))
    >>> c.low_memory, c.batch_size, c.enable_memory_monitoring
    (True, 4, True)
    """
    if config.low_memory:
        return config
    return config.replace(
        low_memory=True,
        enable_memory_monitoring=True,
        batch_size=low_memory_batch_size(config.batch_size),
    )


def format_bytes(n: float) -> str:
    """A byte count for people, in binary units with one decimal.

    >>> format_bytes(512 * 1024**2), format_bytes(20.1 * 1024**3), format_bytes(900)
    ('512.0 MB', '20.1 GB', '900 B')
    """
    for unit, size in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if abs(n) >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n:.0f} B"


def compute_worker_count(
    per_worker_bytes: int,
    *,
    max_workers: int | None = None,
    available_bytes: int | None = None,
    cpus: int | None = None,
    low_memory: bool = False,
) -> tuple[int, str]:
    """How many worker processes fit: available memory / memory per worker, capped by CPUs.

    >>> n, why = compute_worker_count(2 * 1024**3, available_bytes=int(20.1 * 1024**3), cpus=2)
    >>> n, why
    (2, 'available 20.1 GB / 2.0 GB per worker = 10, capped by 2 CPUs -> 2')
    >>> compute_worker_count(2 * 1024**3, available_bytes=1024**3, cpus=8)[0]  # never 0
    1
    >>> compute_worker_count(1024**3, available_bytes=8 * 1024**3, cpus=8, low_memory=True)
    (4, 'available 8.0 GB / 1.0 GB per worker = 8, halved for --low-memory -> 4')

    Args:
        per_worker_bytes: the memory budget of one worker (``MEMORY_LIMIT_PER_WORKER``).
        max_workers: an explicit cap (``--workers N`` / ``MAX_WORKERS``).
        available_bytes: memory available to us; default: measured (container-aware).
        cpus: CPUs we may use; default: measured (affinity and container quota).
        low_memory: ``--low-memory``: halve the result.

    Returns:
        ``(count, explanation)``; the count is at least 1; the explanation shows the
        calculation and is also logged at INFO.
    """
    if per_worker_bytes <= 0:
        raise ValueError("per_worker_bytes must be positive")
    if available_bytes is None:
        available_bytes = effective_available_bytes()
    if cpus is None:
        cpus = available_cpus()
    by_memory = max(0, available_bytes // per_worker_bytes)
    parts = [
        f"available {format_bytes(available_bytes)} / {format_bytes(per_worker_bytes)} "
        f"per worker = {by_memory}"
    ]
    count = by_memory
    if count > cpus:
        count = cpus
        parts.append(f"capped by {cpus} CPU{'s' if cpus != 1 else ''}")
    if max_workers is not None and count > max_workers:
        count = max_workers
        parts.append(f"capped by max_workers={max_workers}")
    if low_memory and count > 1:
        count //= 2
        parts.append("halved for --low-memory")
    if count < 1:
        count = 1
        parts.append("at least 1")
    explanation = ", ".join(parts) + f" -> {count}"
    log.info("workers: %s", explanation)
    return count, explanation


@dataclass(frozen=True, slots=True)
class ProcessingStrategy:
    """How to process one input, chosen from its size.

    Attributes:
        name: ``"standard"``, ``"streaming"`` or ``"full-streaming"``.
        size_bytes: the input's size (``None`` when unknown, e.g. stdin).
        gc_every: run ``gc.collect()`` every this many cues (0 = never).
        nlp_batch_size: ``batch_size`` for ``nlp.pipe``: texts (chunks) per batch.
        reason: why, for the log.
    """

    name: str
    size_bytes: int | None
    gc_every: int
    nlp_batch_size: int
    reason: str

    @property
    def streaming(self) -> bool:
        """Whether this is one of the streaming strategies."""
        return self.name != "standard"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


# nlp.pipe batch sizes (chunks of CHUNK_SIZE words per batch) per strategy.
_NLP_BATCH = {"standard": 32, "streaming": 16, "full-streaming": 8}
# Divisor of GC_FREQUENCY per strategy: larger inputs collect more often.
_GC_DIVISOR = {"standard": 1, "streaming": 2, "full-streaming": 4}


def strategy_for_size(size_bytes: int | None, config: Config | None = None) -> ProcessingStrategy:
    """Pick the processing strategy for an input of ``size_bytes`` (the spec's rule).

    Below ``STREAMING_THRESHOLD_MB`` (10 MB): standard; from there up to 50 MB: streaming;
    above 50 MB: full streaming with more frequent garbage collection and smaller NLP
    batches. Unknown sizes (a pipe) get full streaming. ``--low-memory`` halves the NLP batch.

    >>> from customer_snapshot.config import Config
    >>> cfg = Config.from_env({})
    >>> [strategy_for_size(mb * 1024**2, cfg).name for mb in (1, 9.9, 10, 50, 51)]
    ['standard', 'standard', 'streaming', 'streaming', 'full-streaming']
    >>> s = strategy_for_size(200 * 1024**2, cfg)
    >>> s.gc_every, s.nlp_batch_size
    (250, 8)
    >>> strategy_for_size(6 * 1024**2, Config.from_env({"STREAMING_THRESHOLD_MB": "5"})).name
    'streaming'

    Args:
        size_bytes: the input's size in bytes, or ``None`` when unknown.
        config: supplies ``streaming_threshold_mb``, ``gc_frequency`` and ``low_memory``;
            default ``Config()``.
    """
    if config is None:
        config = Config()
    threshold = float(config.streaming_threshold_mb)
    full = max(FULL_STREAMING_THRESHOLD_MB, threshold)
    if size_bytes is None:
        name, reason = "full-streaming", "size unknown (a stream)"
    else:
        mb = size_bytes / MB
        if mb < threshold:
            name, reason = "standard", f"{mb:.1f} MB < {threshold:g} MB streaming threshold"
        elif mb <= full:
            name, reason = "streaming", f"{threshold:g} MB <= {mb:.1f} MB <= {full:g} MB"
        else:
            name, reason = "full-streaming", f"{mb:.1f} MB > {full:g} MB"
    freq = int(config.gc_frequency)
    gc_every = 0 if freq <= 0 else max(1, freq // _GC_DIVISOR[name])
    batch = _NLP_BATCH[name]
    if config.low_memory:
        batch = low_memory_batch_size(batch)
        reason += ", --low-memory"
    return ProcessingStrategy(name, size_bytes, gc_every, batch, reason)
