"""Reading the process's and the machine's memory: RSS, peak RSS, available memory, limits.

Every figure here is read fresh from the kernel (through psutil, ``getrusage`` and
``/proc``); nothing is cached except the :class:`psutil.Process` handle. Sizes are bytes unless
a name ends in ``_mb``; MB are binary megabytes (1 MB = 1024 * 1024 bytes), the same unit
:func:`customer_snapshot.config.parse_size` uses.

Containers: a process in a container sees the host's RAM in ``/proc/meminfo`` (and so in
psutil), but the kernel kills it at the cgroup's limit. :func:`cgroup_memory_limit` reads that
limit (cgroup v2 ``memory.max`` or v1 ``memory.limit_in_bytes``), and
:func:`effective_available_bytes` / :func:`effective_limit_mb` take it into account.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import psutil

__all__ = [
    "MB",
    "MemoryLimitInfo",
    "available_cpus",
    "bytes_to_mb",
    "cgroup_memory_limit",
    "cgroup_memory_usage",
    "effective_available_bytes",
    "effective_limit_mb",
    "peak_rss_bytes",
    "peak_rss_bytes_of",
    "peak_rss_mb",
    "process_memory",
    "rss_bytes",
    "rss_mb",
    "system_memory",
]

MB = 1024 * 1024

# A cgroup "limit" at or above this is the kernel's way of writing "no limit": v1 reports
# PAGE_COUNTER_MAX * page size (9223372036854771712 on x86-64) instead of "max".
_UNLIMITED = 1 << 60
_CGROUP_ROOT = Path("/sys/fs/cgroup")
_PROC_CGROUP = Path("/proc/self/cgroup")

_process_lock = threading.Lock()
_process: psutil.Process | None = None
_process_pid = -1


def _this_process() -> psutil.Process:
    """The psutil handle of this process (made again after a fork, when the pid changed)."""
    global _process, _process_pid
    pid = os.getpid()
    if _process is None or _process_pid != pid:
        with _process_lock:
            if _process is None or _process_pid != pid:
                _process = psutil.Process(pid)
                _process_pid = pid
    return _process


def bytes_to_mb(n: float) -> float:
    """Bytes to (binary) MB.

    >>> bytes_to_mb(3 * 1024 * 1024)
    3.0
    """
    return n / MB


def process_memory() -> tuple[int, int]:
    """The process's resident and virtual size, in bytes: ``(rss, vms)``."""
    info = _this_process().memory_info()
    return int(info.rss), int(info.vms)


def rss_bytes() -> int:
    """The process's resident set size (RSS), in bytes."""
    return int(_this_process().memory_info().rss)


def rss_mb() -> float:
    """The process's resident set size (RSS), in MB."""
    return rss_bytes() / MB


def _vm_hwm_bytes(status: Path = Path("/proc/self/status")) -> int:
    """``VmHWM`` (peak RSS) from ``/proc/self/status``; 0 where there is no such file."""
    try:
        with status.open(encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # the kernel writes kB
    except (OSError, ValueError, IndexError):
        return 0
    return 0


def peak_rss_bytes() -> int:
    """The highest RSS this process has had since it started, in bytes.

    Combines ``getrusage(RUSAGE_SELF).ru_maxrss`` (kB on Linux, bytes on macOS) with Linux's
    ``VmHWM``; both are the kernel's high-water mark, so this never misses a short spike the
    way sampling can. It never goes down, so it says nothing about a later, smaller step.
    """
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    maxrss_bytes = maxrss if sys.platform == "darwin" else maxrss * 1024
    return max(maxrss_bytes, _vm_hwm_bytes())


def peak_rss_bytes_of(pid: int) -> int:
    """The kernel's high-water mark of another process's RSS (Linux ``VmHWM``), in bytes.

    0 where it cannot be read (no such process, another user's, not Linux).
    """
    return _vm_hwm_bytes(Path(f"/proc/{pid}/status"))


def peak_rss_mb() -> float:
    """The highest RSS this process has had since it started, in MB."""
    return peak_rss_bytes() / MB


def system_memory() -> tuple[int, int, float]:
    """The machine's memory as ``(total_bytes, available_bytes, percent_used)``.

    These are the host's figures (``/proc/meminfo``); see :func:`effective_available_bytes`
    for what a process in a memory-limited container can still use.
    """
    vm = psutil.virtual_memory()
    return int(vm.total), int(vm.available), float(vm.percent)


def _read_int(path: Path) -> int | None:
    """An integer file of a cgroup, ``None`` when missing, ``max`` or unreadable."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text or text == "max":
        return None
    try:
        return int(text.split()[0])
    except ValueError:
        return None


def _own_cgroup_dirs(root: Path, proc_cgroup: Path) -> list[Path]:
    """Directories that may hold this process's cgroup v2/v1 memory files, most specific first.

    ``/proc/self/cgroup`` names our cgroup (``0::/user.slice/…`` for v2,
    ``N:memory:/docker/…`` for v1). Inside a container with its own cgroup namespace the path
    is ``/`` and the files sit directly under the mount point, which is always tried last.
    """
    dirs: list[Path] = []
    try:
        lines = proc_cgroup.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        rel = rel.strip().lstrip("/")
        if controllers == "" and rel:  # v2 unified hierarchy
            dirs.append(root / rel)
        elif "memory" in controllers.split(",") and rel:  # v1 memory controller
            dirs.append(root / "memory" / rel)
    dirs.extend([root, root / "memory"])
    return dirs


def cgroup_memory_limit(
    *, root: Path = _CGROUP_ROOT, proc_cgroup: Path = _PROC_CGROUP
) -> int | None:
    """The memory limit of this process's cgroup (container), in bytes; ``None`` if unlimited.

    Reads cgroup v2 ``memory.max`` or v1 ``memory.limit_in_bytes``; ``max`` and the huge
    numbers v1 uses for "unlimited" count as no limit.

    Args:
        root: where the cgroup file system is mounted (tests point this elsewhere).
        proc_cgroup: the file naming this process's cgroup.
    """
    for d in _own_cgroup_dirs(root, proc_cgroup):
        for name in ("memory.max", "memory.limit_in_bytes"):
            value = _read_int(d / name)
            if value is not None and 0 < value < _UNLIMITED:
                return value
    return None


def cgroup_memory_usage(
    *, root: Path = _CGROUP_ROOT, proc_cgroup: Path = _PROC_CGROUP
) -> int | None:
    """Memory charged to this process's cgroup (v2 ``memory.current``, v1 ``usage_in_bytes``)."""
    for d in _own_cgroup_dirs(root, proc_cgroup):
        for name in ("memory.current", "memory.usage_in_bytes"):
            value = _read_int(d / name)
            if value is not None:
                return value
    return None


def effective_available_bytes() -> int:
    """Memory this process can still use: the host's available memory or, in a container,
    what is left under the cgroup limit, whichever is smaller."""
    _, available, _ = system_memory()
    limit = cgroup_memory_limit()
    if limit is not None:
        used = cgroup_memory_usage()
        if used is None:
            used = rss_bytes()
        available = min(available, max(0, limit - used))
    return available


@dataclass(frozen=True, slots=True)
class MemoryLimitInfo:
    """The memory limit that applies to this process, and where it comes from.

    Attributes:
        limit_mb: the smallest of the configured limit, the container limit and physical RAM.
        source: ``"config"``, ``"cgroup"`` or ``"system"``.
    """

    limit_mb: float
    source: str


def effective_limit_mb(configured_mb: float | None = None) -> MemoryLimitInfo:
    """The limit memory usage is measured against.

    Args:
        configured_mb: ``MEMORY_LIMIT_MB``; ``None`` or ``0`` means "not configured".

    Returns:
        The smallest of the configured limit, the cgroup limit and the machine's physical
        memory, with its source.
    """
    total, _, _ = system_memory()
    best = MemoryLimitInfo(total / MB, "system")
    limit = cgroup_memory_limit()
    if limit is not None and limit / MB < best.limit_mb:
        best = MemoryLimitInfo(limit / MB, "cgroup")
    if configured_mb and 0 < configured_mb < best.limit_mb:
        best = MemoryLimitInfo(float(configured_mb), "config")
    return best


def _cgroup_cpu_quota(root: Path = _CGROUP_ROOT, proc_cgroup: Path = _PROC_CGROUP) -> float | None:
    """CPUs granted by a cgroup CPU quota (v2 ``cpu.max``, v1 ``cfs_quota_us``), if any."""
    for d in _own_cgroup_dirs(root, proc_cgroup):
        try:
            quota, period = (d / "cpu.max").read_text(encoding="ascii").split()[:2]
        except (OSError, ValueError, UnicodeDecodeError):
            quota = period = ""
        if quota and quota != "max":
            try:
                return int(quota) / int(period)
            except (ValueError, ZeroDivisionError):
                pass
    v1 = root / "cpu"
    q = _read_int(v1 / "cpu.cfs_quota_us")
    p = _read_int(v1 / "cpu.cfs_period_us")
    if q is not None and q > 0 and p:
        return q / p
    return None


def available_cpus() -> int:
    """CPUs this process may use: its affinity mask, capped by a container CPU quota."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None:
        n = min(n, max(1, int(quota)))
    return max(1, n)
