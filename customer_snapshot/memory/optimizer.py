"""``MemoryOptimizer``: garbage collection, registered caches, heap trimming, mmap reading.

Example (the memory spec's)::

    class CustomOptimizer(MemoryOptimizer):
        def optimize_for_batch_processing(self):
            self.force_garbage_collection()
            self.clear_caches()

    optimizer = MemoryOptimizer()
    for chunk in optimizer.get_mmap_reader("huge_file.vtt"):
        process_chunk(chunk)
"""

from __future__ import annotations

import ctypes
import gc
import inspect
import logging
import mmap
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass
from typing import Any, TypeVar, cast

from customer_snapshot.config import Config
from customer_snapshot.memory.rss import MB, rss_bytes

__all__ = ["DEFAULT_MMAP_CHUNK", "GCReport", "MemoryOptimizer", "PeriodicCollector", "trim_heap"]

log = logging.getLogger(__name__)

DEFAULT_MMAP_CHUNK = 1024 * 1024  # bytes per chunk of get_mmap_reader (a multiple of the page)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class GCReport:
    """What a forced garbage collection did.

    Attributes:
        collected: unreachable objects the collector found (``gc.collect()``'s result).
        freed_mb: RSS before minus RSS after, MB (0 or less when nothing went back to the
            operating system, which is common: freed memory usually stays with the allocator).
        rss_before_mb: RSS before, MB.
        rss_after_mb: RSS after, MB.
        seconds: how long it took.
        generation: the generation collected (2 = full).
        uncollectable: objects found that cannot be freed (``len(gc.garbage)``).
    """

    collected: int
    freed_mb: float
    rss_before_mb: float
    rss_after_mb: float
    seconds: float
    generation: int
    uncollectable: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


_malloc_trim: Callable[[int], int] | None = None
_malloc_trim_loaded = False
_trim_lock = threading.Lock()


def trim_heap() -> bool:
    """Give free heap memory back to the operating system (glibc ``malloc_trim(0)``).

    CPython frees large objects with ``free()``, but glibc keeps freed heap pages mapped, so
    RSS stays high after a big chunk is dropped. ``malloc_trim`` returns them. Elsewhere
    (macOS, musl) this does nothing.

    Returns:
        True when memory was returned to the system.
    """
    global _malloc_trim, _malloc_trim_loaded
    with _trim_lock:
        if not _malloc_trim_loaded:
            _malloc_trim_loaded = True
            if sys.platform.startswith("linux"):
                try:
                    _malloc_trim = ctypes.CDLL(None).malloc_trim
                except (OSError, AttributeError):
                    _malloc_trim = None
        trim = _malloc_trim
    return bool(trim(0)) if trim is not None else False


class _CacheEntry:
    """A registered cache, held weakly where it can be so registering never keeps it alive."""

    __slots__ = ("_call", "_get", "name")

    def __init__(self, cache: object) -> None:
        self.name = getattr(cache, "__qualname__", None) or type(cache).__name__
        method = next(
            (m for m in ("clear", "cache_clear") if callable(getattr(cache, m, None))), None
        )
        get: Callable[[], object | None]
        self._call: str | None
        if method is not None:
            try:
                get = weakref.ref(cache)
            except TypeError:  # dict, list, ...: cannot be weakly referenced
                get = _strong(cache)
            self._call = method
        elif inspect.ismethod(cache):
            get = weakref.WeakMethod(cache)
            self._call = None
        elif callable(cache):
            get = _strong(cache)  # a lambda or closure would die at once if held weakly
            self._call = None
        else:
            raise TypeError(
                f"cannot register {type(cache).__name__!r} as a cache: it needs a clear() or "
                "cache_clear() method, or must be callable"
            )
        self._get = get

    def target(self) -> object | None:
        """The cache (or callable), or ``None`` when it was garbage-collected."""
        return self._get()

    def clear(self) -> bool:
        """Clear the cache; False when it no longer exists."""
        target = self._get()
        if target is None:
            return False
        fn = getattr(target, self._call) if self._call else target
        cast("Callable[[], object]", fn)()
        return True


def _strong(obj: object) -> Callable[[], object]:
    return lambda: obj


class MemoryOptimizer:
    """Memory housekeeping for long runs: GC, caches, heap trimming, mmap reading.

    Subclass it and override :meth:`optimize_for_batch_processing` for a custom policy.

    Args:
        config: the run's settings (kept for subclasses; ``gc_frequency`` feeds
            :meth:`collector`). Default: ``Config()`` when first needed.
        trim: also call :func:`trim_heap` in :meth:`cleanup_resources`.
    """

    def __init__(self, config: Config | None = None, *, trim: bool = True) -> None:
        self._config = config
        self.trim = trim
        self._lock = threading.Lock()
        self._caches: list[_CacheEntry] = []

    @property
    def config(self) -> Config:
        """The settings (``Config()`` from the environment when none was given)."""
        if self._config is None:
            self._config = Config()
        return self._config

    # -- garbage collection ------------------------------------------------------------------

    def force_garbage_collection(self, generation: int = 2) -> GCReport:
        """Run the garbage collector now and report what it did."""
        before = rss_bytes()
        t0 = time.perf_counter()
        collected = gc.collect(generation)
        seconds = time.perf_counter() - t0
        after = rss_bytes()
        report = GCReport(
            collected=collected,
            freed_mb=(before - after) / MB,
            rss_before_mb=before / MB,
            rss_after_mb=after / MB,
            seconds=seconds,
            generation=generation,
            uncollectable=len(gc.garbage),
        )
        log.debug(
            "gc.collect(%d): %d objects, %.1f MB freed, %.3f s",
            generation,
            collected,
            report.freed_mb,
            seconds,
        )
        return report

    def collector(self, every: int | None = None) -> PeriodicCollector:
        """A :class:`PeriodicCollector` collecting every ``every`` items.

        Args:
            every: items between collections; default ``config.gc_frequency``.
        """
        return PeriodicCollector(self.config.gc_frequency if every is None else every)

    # -- caches ------------------------------------------------------------------------------

    def register_cache(self, cache: T) -> T:
        """Have :meth:`clear_caches` clear ``cache``; returns it (usable as a decorator).

        Accepted: an object with ``clear()`` (dict, :class:`BoundedCache`), an
        ``functools.lru_cache`` function (``cache_clear()``), or any callable that clears
        something. Objects and bound methods are held by weak reference where Python allows,
        so registering never keeps a cache alive; dicts, lists and plain functions are held
        strongly (see :meth:`unregister_cache`).

        Raises:
            TypeError: for an object that cannot be cleared.
        """
        entry = _CacheEntry(cache)
        with self._lock:
            if not any(e.target() is cache for e in self._caches):
                self._caches.append(entry)
        return cache

    def unregister_cache(self, cache: object) -> bool:
        """Forget ``cache``; False when it was not registered."""
        with self._lock:
            for i, e in enumerate(self._caches):
                if e.target() is cache or (
                    inspect.ismethod(cache) and e.target() == cache  # bound methods are remade
                ):
                    del self._caches[i]
                    return True
        return False

    @property
    def cache_count(self) -> int:
        """How many registered caches still exist."""
        with self._lock:
            self._caches = [e for e in self._caches if e.target() is not None]
            return len(self._caches)

    def clear_caches(self) -> int:
        """Clear every registered cache; returns how many were cleared.

        A cache whose ``clear`` fails is logged and skipped; the others are still cleared.
        """
        with self._lock:
            entries = list(self._caches)
        cleared = 0
        gone: list[_CacheEntry] = []
        for entry in entries:
            try:
                if entry.clear():
                    cleared += 1
                else:
                    gone.append(entry)
            except Exception:  # one failing cache must not stop the cleanup
                log.exception("clearing cache %s failed", entry.name)
        if gone:
            with self._lock:
                self._caches = [e for e in self._caches if e not in gone]
        log.debug("cleared %d cache(s)", cleared)
        return cleared

    # -- whole cleanups ----------------------------------------------------------------------

    def cleanup_resources(self) -> float:
        """Clear the caches, collect garbage and trim the heap; returns the MB of RSS freed.

        The result is RSS before minus RSS after, never below 0.
        """
        before = rss_bytes()
        self.clear_caches()
        gc.collect()
        if self.trim:
            trim_heap()
        freed = max(0.0, (before - rss_bytes()) / MB)
        log.debug("cleanup freed %.1f MB", freed)
        return freed

    def optimize_for_batch_processing(self) -> None:
        """Prepare for the next file of a batch: free what the last one left behind.

        The default clears the registered caches, runs a full collection and trims the heap.
        Subclasses replace it with their own policy.
        """
        self.clear_caches()
        self.force_garbage_collection()
        if self.trim:
            trim_heap()

    # -- reading -----------------------------------------------------------------------------

    def get_mmap_reader(
        self, path: str | os.PathLike[str], chunk_size: int = DEFAULT_MMAP_CHUNK
    ) -> Generator[bytes, None, None]:
        """Yield a file's bytes in chunks through a memory map.

        The file is never read whole: the kernel pages it in as chunks are copied out, and
        pages already handed out are released again (``MADV_DONTNEED`` where available) so
        resident memory stays flat however big the file is. An empty file yields nothing.
        Chunks split the file at byte offsets, not at line or character boundaries.

        Args:
            path: the file.
            chunk_size: bytes per chunk (the last one may be shorter).

        Raises:
            ValueError: for a chunk size below 1.
            OSError: (when iteration starts) the file cannot be opened.
        """
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        return self._mmap_chunks(os.fspath(path), chunk_size)

    @staticmethod
    def _mmap_chunks(path: str, chunk_size: int) -> Generator[bytes, None, None]:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size == 0:
                return  # mmap cannot map an empty file
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                release = hasattr(mm, "madvise") and hasattr(mmap, "MADV_DONTNEED")
                for offset in range(0, size, chunk_size):
                    chunk = mm[offset : offset + chunk_size]
                    if release:
                        # Drop the pages we copied from our RSS; madvise wants a page-aligned
                        # start, so release from the page holding `offset`.
                        start = offset - offset % mmap.PAGESIZE
                        mm.madvise(mmap.MADV_DONTNEED, start, offset + len(chunk) - start)
                    yield chunk


class PeriodicCollector:
    """Runs ``gc.collect()`` every ``every`` items (the ``GC_FREQUENCY`` rule).

    >>> c = PeriodicCollector(3)
    >>> [c.tick() for _ in range(6)]
    [False, False, True, False, False, True]
    >>> PeriodicCollector(0).tick(10**6)
    False

    Args:
        every: items between collections; 0 means never.
        generation: the generation to collect (2 = full).
    """

    def __init__(self, every: int, generation: int = 2) -> None:
        if every < 0:
            raise ValueError("every must not be negative")
        self.every = every
        self.generation = generation
        self.collections = 0
        self._since = 0

    def tick(self, n: int = 1) -> bool:
        """Count ``n`` processed items; collect when ``every`` have passed since the last time.

        Returns:
            True when a collection ran.
        """
        if self.every <= 0:
            return False
        self._since += n
        if self._since < self.every:
            return False
        self._since = 0
        gc.collect(self.generation)
        self.collections += 1
        return True
