"""Memory tools: tracking, profiling, limits, monitoring, caches and sizing.

Nothing here imports the pipeline (spaCy, the NLP, snapshot or render modules), so the tools
load fast and wrap any stage. The spec's documented import path,
``customer_snapshot.utils.memory_optimizer``, re-exports these names.
"""

from __future__ import annotations

from customer_snapshot.errors import MemoryLimitExceeded
from customer_snapshot.memory.cache import BoundedCache, deep_sizeof
from customer_snapshot.memory.decorators import (
    MemoryLimit,
    MemoryUsage,
    iter_guarded,
    memory_limit,
    memory_profile,
    profile_block,
)
from customer_snapshot.memory.monitor import (
    AlertThresholds,
    MemoryAlert,
    MemoryMonitoringService,
    MemorySample,
    get_memory_status,
    get_monitoring_service,
    start_memory_monitoring,
    stop_memory_monitoring,
)
from customer_snapshot.memory.optimizer import (
    GCReport,
    MemoryOptimizer,
    PeriodicCollector,
    trim_heap,
)
from customer_snapshot.memory.rss import (
    MemoryLimitInfo,
    available_cpus,
    cgroup_memory_limit,
    effective_available_bytes,
    effective_limit_mb,
    peak_rss_mb,
    rss_mb,
    system_memory,
)
from customer_snapshot.memory.sizing import (
    ProcessingStrategy,
    adaptive_batch_size,
    apply_low_memory,
    compute_worker_count,
    low_memory_batch_size,
    strategy_for_size,
)
from customer_snapshot.memory.tracker import MemorySnapshot, MemorySpike, MemoryTracker

__all__ = [
    "AlertThresholds",
    "BoundedCache",
    "GCReport",
    "MemoryAlert",
    "MemoryLimit",
    "MemoryLimitExceeded",
    "MemoryLimitInfo",
    "MemoryMonitoringService",
    "MemoryOptimizer",
    "MemorySample",
    "MemorySnapshot",
    "MemorySpike",
    "MemoryTracker",
    "MemoryUsage",
    "PeriodicCollector",
    "ProcessingStrategy",
    "adaptive_batch_size",
    "apply_low_memory",
    "available_cpus",
    "cgroup_memory_limit",
    "compute_worker_count",
    "deep_sizeof",
    "effective_available_bytes",
    "effective_limit_mb",
    "get_memory_status",
    "get_monitoring_service",
    "iter_guarded",
    "low_memory_batch_size",
    "memory_limit",
    "memory_profile",
    "peak_rss_mb",
    "profile_block",
    "rss_mb",
    "start_memory_monitoring",
    "stop_memory_monitoring",
    "strategy_for_size",
    "system_memory",
    "trim_heap",
]
