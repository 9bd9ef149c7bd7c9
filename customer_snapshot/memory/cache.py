"""``BoundedCache``: an in-memory cache bounded in MB, with LRU eviction and a TTL.

"Cache unlimited data" is on the memory spec's list of don'ts: this cache holds at most
``max_mb`` of estimated value size. Sizes are estimated with :func:`deep_sizeof` (a walk of
``sys.getsizeof`` over strings, bytes and containers) unless a ``sizeof`` function is given.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from customer_snapshot.memory.rss import MB

if TYPE_CHECKING:
    from customer_snapshot.memory.optimizer import MemoryOptimizer

__all__ = ["BoundedCache", "deep_sizeof"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
D = TypeVar("D")

_ATOMS = (str, bytes, bytearray, int, float, complex, bool, type(None))


def deep_sizeof(obj: object, *, max_objects: int = 100_000) -> int:
    """Estimate the memory an object holds: itself plus what it contains, in bytes.

    Follows lists, tuples, sets, frozensets and dicts (keys and values), and the attributes
    of objects with a ``__dict__`` or ``__slots__``; counts each object once (shared and
    cyclic references included). Stops following after ``max_objects`` objects, so a huge
    structure costs bounded time (the estimate is then low).

    >>> deep_sizeof("") < deep_sizeof("x" * 1000)
    True
    >>> deep_sizeof(["abc", "abc"]) == deep_sizeof(["abc"]) + 8  # one more pointer
    True
    """
    seen: set[int] = set()
    stack: list[object] = [obj]
    total = 0
    while stack and len(seen) < max_objects:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        total += sys.getsizeof(o, 0)
        if isinstance(o, _ATOMS):
            continue
        if isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, list | tuple | set | frozenset):
            stack.extend(o)
        else:
            d = getattr(o, "__dict__", None)
            if isinstance(d, dict):
                stack.append(d)
            for slot in getattr(type(o), "__slots__", ()):
                if isinstance(slot, str) and hasattr(o, slot):
                    stack.append(getattr(o, slot))
    return total


class _Entry(Generic[V]):
    __slots__ = ("expires", "size", "value")

    def __init__(self, value: V, size: int, expires: float | None) -> None:
        self.value = value
        self.size = size
        self.expires = expires


class BoundedCache(Generic[K, V]):
    """A thread-safe mapping bounded by estimated size, evicting least recently used entries.

    >>> cache = BoundedCache(max_mb=1, ttl_seconds=60)
    >>> cache["a"] = "x" * 10
    >>> cache.get("a"), cache.get("missing")
    ('xxxxxxxxxx', None)
    >>> s = cache.stats()
    >>> s["hits"], s["misses"], s["hit_rate"]
    (1, 1, 0.5)

    Args:
        max_mb: the most (estimated) MB of entries kept.
        ttl_seconds: entries older than this are dropped on access; ``None`` = no expiry.
        sizeof: estimates an entry's size in bytes from ``(key, value)``; default
            :func:`deep_sizeof` of both.
        max_items: also limit the number of entries.
        clock: a monotonic clock in seconds (tests pass a fake one).
        optimizer: register the cache there, so ``optimizer.clear_caches()`` clears it.
    """

    def __init__(
        self,
        max_mb: float,
        ttl_seconds: float | None = None,
        *,
        sizeof: Callable[[K, V], int] | None = None,
        max_items: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        optimizer: MemoryOptimizer | None = None,
    ) -> None:
        if max_mb <= 0:
            raise ValueError("max_mb must be positive")
        if ttl_seconds is not None and ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive (or None for no expiry)")
        if max_items is not None and max_items < 1:
            raise ValueError("max_items must be at least 1")
        self.max_bytes = int(max_mb * MB)
        self.ttl_seconds = ttl_seconds
        self.max_items = max_items
        self._sizeof: Callable[[K, V], int] = sizeof or (
            lambda k, v: deep_sizeof(k) + deep_sizeof(v)
        )
        self._clock = clock
        self._lock = threading.RLock()
        self._data: OrderedDict[K, _Entry[V]] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        self.expirations = 0
        self.rejected = 0
        if optimizer is not None:
            optimizer.register_cache(self)

    def __repr__(self) -> str:
        return (
            f"BoundedCache({len(self._data)} items, {self._bytes / MB:.2f}/"
            f"{self.max_bytes / MB:.2f} MB)"
        )

    # -- internals (call with the lock held) -------------------------------------------------

    def _drop(self, key: K) -> None:
        entry = self._data.pop(key)
        self._bytes -= entry.size

    def _live(self, key: K) -> _Entry[V] | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry.expires is not None and self._clock() >= entry.expires:
            self._drop(key)
            self.expirations += 1
            return None
        return entry

    def _make_room(self, incoming: int) -> None:
        self.purge_expired()
        while self._data and (
            self._bytes + incoming > self.max_bytes
            or (self.max_items is not None and len(self._data) >= self.max_items)
        ):
            oldest = next(iter(self._data))
            self._drop(oldest)
            self.evictions += 1

    # -- mapping API -------------------------------------------------------------------------

    @overload
    def get(self, key: K) -> V | None: ...

    @overload
    def get(self, key: K, default: D) -> V | D: ...

    def get(self, key: K, default: object = None) -> object:
        """The value for ``key`` (now the most recently used), or ``default``; counts a hit
        or a miss."""
        with self._lock:
            entry = self._live(key)
            if entry is None:
                self.misses += 1
                return default
            self._data.move_to_end(key)
            self.hits += 1
            return entry.value

    def set(self, key: K, value: V) -> bool:
        """Store ``value`` under ``key``, evicting least recently used entries to make room.

        Returns:
            False when the value alone is larger than the whole cache (it is not stored,
            and an older value under ``key`` is removed).
        """
        size = int(self._sizeof(key, value))
        with self._lock:
            if key in self._data:
                self._drop(key)
            if size > self.max_bytes:
                self.rejected += 1
                return False
            self._make_room(size)
            expires = None if self.ttl_seconds is None else self._clock() + self.ttl_seconds
            self._data[key] = _Entry(value, size, expires)
            self._bytes += size
            return True

    def get_or_set(self, key: K, factory: Callable[[], V]) -> V:
        """The cached value for ``key``, or ``factory()`` (stored, then returned)."""
        with self._lock:
            entry = self._live(key)
            if entry is not None:
                self._data.move_to_end(key)
                self.hits += 1
                return entry.value
            self.misses += 1
        value = factory()  # outside the lock: it may be slow
        self.set(key, value)
        return value

    def pop(self, key: K, default: V | None = None) -> V | None:
        """Remove ``key`` and return its value (or ``default``); no hit or miss is counted."""
        with self._lock:
            entry = self._live(key)
            if entry is None:
                return default
            self._drop(key)
            return entry.value

    def __getitem__(self, key: K) -> V:
        with self._lock:
            entry = self._live(key)
            if entry is None:
                self.misses += 1
                raise KeyError(key)
            self._data.move_to_end(key)
            self.hits += 1
            return entry.value

    def __setitem__(self, key: K, value: V) -> None:
        self.set(key, value)

    def __delitem__(self, key: K) -> None:
        with self._lock:
            if self._live(key) is None:
                raise KeyError(key)
            self._drop(key)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is cached and fresh (no hit or miss is counted)."""
        with self._lock:
            try:
                return self._live(key) is not None  # type: ignore[arg-type]
            except TypeError:  # unhashable
                return False

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def __iter__(self) -> Iterator[K]:
        with self._lock:
            return iter(list(self._data))

    # -- maintenance -------------------------------------------------------------------------

    def purge_expired(self) -> int:
        """Drop every expired entry now; returns how many."""
        if self.ttl_seconds is None:
            return 0
        with self._lock:
            now = self._clock()
            dead = [k for k, e in self._data.items() if e.expires is not None and now >= e.expires]
            for k in dead:
                self._drop(k)
            self.expirations += len(dead)
            return len(dead)

    def clear(self) -> None:
        """Remove every entry (the counters are kept)."""
        with self._lock:
            self._data.clear()
            self._bytes = 0

    @property
    def size_bytes(self) -> int:
        """Estimated bytes held."""
        return self._bytes

    def stats(self) -> dict[str, Any]:
        """Counters and size: ``hits``, ``misses``, ``hit_rate`` (0 before any lookup),
        ``evictions``, ``expirations``, ``rejected``, ``items``, ``size_mb``, ``max_mb``."""
        with self._lock:
            lookups = self.hits + self.misses
            return {
                "hits": self.hits,
                "misses": self.misses,
                "hit_rate": self.hits / lookups if lookups else 0.0,
                "evictions": self.evictions,
                "expirations": self.expirations,
                "rejected": self.rejected,
                "items": len(self._data),
                "size_mb": self._bytes / MB,
                "max_mb": self.max_bytes / MB,
            }
