"""Bounded aggregates: counters and samples whose memory does not grow with the transcript.

A 1 GB transcript must analyse in the memory of a 1 MB one, so nothing that sees every
sentence may keep one entry per distinct word, phrase or entity. These structures keep a
fixed number of entries, chosen by the caller (ultimately from ``Config``), and say how
wrong their answers can be:

- :class:`SpaceSaving` counts the heavy hitters of a stream (Metwally, Agrawal and El Abbadi,
  "Efficient computation of frequent and top-k elements in data streams", ICDT 2005). Any
  key whose true count exceeds ``total / capacity`` is guaranteed to be tracked, and every
  reported count over-estimates the truth by at most :meth:`SpaceSaving.error`.
- :class:`SampleKeeper` keeps the first few evidence samples of each key that a
  :class:`SpaceSaving` currently tracks, and forgets the samples of keys it evicts.
- :class:`TopByScore` keeps the best ``n`` items seen so far.

All three are deterministic: the same stream gives the same answer, so snapshots are
reproducible and tests are stable.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

__all__ = ["SampleKeeper", "SpaceSaving", "TopByScore"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class SpaceSaving(Generic[K]):
    """Top-k heavy-hitter counter in ``capacity`` entries (the Space-Saving algorithm).

    While fewer than ``capacity`` distinct keys have arrived the counts are exact. After
    that, a new key replaces the key with the smallest count and inherits that count (plus
    its own) as an over-estimate; :meth:`error` returns how much of a count may be inherited.

    Cost: a count for a tracked key is a dict update; a new key on a full counter is an
    amortised ``O(log capacity)`` heap operation. The min-heap holds exactly one entry per
    tracked key; entries may lag behind the live count (counts only grow), and a lagging
    entry is refreshed when it reaches the top, so increments never touch the heap.

    Args:
        capacity: Most keys tracked at once (at least 1).
        on_evict: Called with each key the counter drops, so companions (samples, surface
            forms) can drop theirs and stay bounded too.

    >>> c: SpaceSaving[str] = SpaceSaving(2)
    >>> for word in "a b a c a".split():
    ...     c.add(word)
    >>> c.top(2)
    [('a', 3), ('c', 2)]
    >>> c.error("c"), c.error("a"), len(c), c.total
    (1, 0, 2, 5)
    """

    __slots__ = ("_counts", "_errors", "_heap", "_on_evict", "_seq", "capacity", "total")

    def __init__(self, capacity: int, *, on_evict: Callable[[K], None] | None = None) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        #: Sum of every count ever added (the stream length N).
        self.total = 0
        self._counts: dict[K, int] = {}
        self._errors: dict[K, int] = {}
        # (count when pushed, tie-break sequence, key); built lazily when the counter first
        # fills, because most calls never have more distinct keys than the capacity.
        self._heap: list[tuple[int, int, K]] | None = None
        self._seq = 0
        self._on_evict = on_evict

    def add(self, key: K, count: int = 1) -> None:
        """Count ``key`` ``count`` more times (``count`` must be positive)."""
        self.total += count
        counts = self._counts
        if key in counts:
            counts[key] += count
            return
        if len(counts) < self.capacity:
            counts[key] = count
            if self._heap is not None:
                self._push(count, key)
            return
        floor = self._evict_min()
        counts[key] = floor + count
        self._errors[key] = floor
        self._push(floor + count, key)

    def _push(self, count: int, key: K) -> None:
        assert self._heap is not None
        self._seq += 1
        heapq.heappush(self._heap, (count, self._seq, key))

    def _evict_min(self) -> int:
        """Drop the key with the smallest count and return that count."""
        if self._heap is None:
            # Insertion order breaks ties, so among equal counts the oldest key goes first.
            self._heap = [(c, i, k) for i, (k, c) in enumerate(self._counts.items())]
            self._seq = len(self._heap)
            heapq.heapify(self._heap)
        heap = self._heap
        counts = self._counts
        while True:
            stale, _, key = heap[0]
            live = counts[key]
            if live == stale:
                break
            # The key was counted since this entry was pushed: sink it to its real place.
            self._seq += 1
            heapq.heapreplace(heap, (live, self._seq, key))
        heapq.heappop(heap)
        del counts[key]
        self._errors.pop(key, None)
        if self._on_evict is not None:
            self._on_evict(key)
        return live

    def __len__(self) -> int:
        return len(self._counts)

    def __contains__(self, key: object) -> bool:
        return key in self._counts

    def __iter__(self) -> Iterator[K]:
        return iter(self._counts)

    def get(self, key: K, default: int = 0) -> int:
        """The (possibly over-estimated) count of ``key``, or ``default`` if untracked."""
        return self._counts.get(key, default)

    def error(self, key: K) -> int:
        """How much :meth:`get` may over-estimate ``key``'s true count (0 = exact)."""
        return self._errors.get(key, 0)

    def guaranteed(self, key: K) -> int:
        """A lower bound on ``key``'s true count."""
        return self._counts.get(key, 0) - self._errors.get(key, 0)

    @property
    def min_count(self) -> int:
        """Upper bound on the true count of any key that is not tracked (0 until full)."""
        if len(self._counts) < self.capacity:
            return 0
        return min(self._counts.values())

    def items(self) -> Iterator[tuple[K, int]]:
        """Every tracked ``(key, count)``, in no particular order."""
        return iter(self._counts.items())

    def top(self, n: int | None = None) -> list[tuple[K, int]]:
        """The ``n`` most frequent keys (all if ``None``), highest count first.

        Ties go to the key with the smaller error, then to the key tracked first, so the
        answer is deterministic.
        """
        errors = self._errors
        ranked = sorted(
            enumerate(self._counts.items()),
            key=lambda e: (-e[1][1], errors.get(e[1][0], 0), e[0]),
        )
        if n is not None:
            ranked = ranked[:n]
        return [kc for _, kc in ranked]


class SampleKeeper(Generic[K, V]):
    """Count keys in a :class:`SpaceSaving` and keep the first few samples of each.

    Samples are kept only for keys the counter tracks; when the counter evicts a key its
    samples go too, so memory is at most ``capacity * per_key`` samples. A key that comes
    back after eviction starts collecting again from that point.

    Args:
        capacity: Most keys tracked at once.
        per_key: Most samples kept per key (the first ones seen).

    >>> keeper: SampleKeeper[str, int] = SampleKeeper(capacity=2, per_key=2)
    >>> for second, word in enumerate("cost cost cost sla cost".split()):
    ...     keeper.add(word, second)
    >>> keeper.samples("cost")
    (0, 1)
    >>> keeper.top(1)
    [('cost', 4, (0, 1))]
    """

    __slots__ = ("_samples", "counter", "per_key")

    def __init__(self, *, capacity: int, per_key: int = 3) -> None:
        if per_key < 0:
            raise ValueError(f"per_key must not be negative, not {per_key}")
        self.per_key = per_key
        self._samples: dict[K, list[V]] = {}
        self.counter: SpaceSaving[K] = SpaceSaving(capacity, on_evict=self._forget)

    def _forget(self, key: K) -> None:
        self._samples.pop(key, None)

    def add(self, key: K, sample: V, count: int = 1) -> None:
        """Count ``key`` and keep ``sample`` if the key has fewer than ``per_key``."""
        self.counter.add(key, count)
        kept = self._samples.get(key)
        if kept is None:
            if self.per_key:
                self._samples[key] = [sample]
        elif len(kept) < self.per_key:
            kept.append(sample)

    def samples(self, key: K) -> tuple[V, ...]:
        """The samples kept for ``key`` (empty if untracked)."""
        return tuple(self._samples.get(key, ()))

    def __len__(self) -> int:
        return len(self.counter)

    @property
    def sample_count(self) -> int:
        """How many samples are held in total (at most ``capacity * per_key``)."""
        return sum(len(s) for s in self._samples.values())

    def top(self, n: int | None = None) -> list[tuple[K, int, tuple[V, ...]]]:
        """The ``n`` most frequent keys with their counts and samples."""
        return [(k, c, self.samples(k)) for k, c in self.counter.top(n)]


class TopByScore(Generic[T]):
    """Keep the ``n`` best items by score from a stream, in ``n`` entries.

    On equal scores the item seen first wins, so the result does not depend on anything
    but the order of the stream.

    Args:
        n: How many items to keep (0 keeps none).

    >>> best: TopByScore[str] = TopByScore(2)
    >>> for word, score in [("low", 1.0), ("high", 9.0), ("mid", 5.0), ("tie", 5.0)]:
    ...     _ = best.push(word, score)
    >>> best.by_score()
    [('high', 9.0), ('mid', 5.0)]
    >>> best.in_order()
    [('high', 9.0), ('mid', 5.0)]
    """

    __slots__ = ("_heap", "_seq", "n")

    def __init__(self, n: int) -> None:
        if n < 0:
            raise ValueError(f"n must not be negative, not {n}")
        self.n = n
        # Min-heap on (score, -sequence): the root is the lowest score and, among equal
        # scores, the newest item, which is exactly the one to drop.
        self._heap: list[tuple[float, int, T]] = []
        self._seq = 0

    def push(self, item: T, score: float) -> bool:
        """Offer ``item``; return whether it is (for now) among the best ``n``."""
        self._seq += 1
        entry = (score, -self._seq, item)
        heap = self._heap
        if len(heap) < self.n:
            heapq.heappush(heap, entry)
            return True
        if not heap or score <= heap[0][0]:
            return False
        heapq.heapreplace(heap, entry)
        return True

    @property
    def threshold(self) -> float | None:
        """The score an item must beat to get in, or ``None`` while there is room."""
        if len(self._heap) < self.n or not self._heap:
            return None
        return self._heap[0][0]

    def __len__(self) -> int:
        return len(self._heap)

    def by_score(self) -> list[tuple[T, float]]:
        """The kept items, best first (ties: first seen first)."""
        ranked = sorted(self._heap, key=lambda e: (-e[0], -e[1]))
        return [(item, score) for score, _, item in ranked]

    def in_order(self) -> list[tuple[T, float]]:
        """The kept items in the order they arrived."""
        ranked = sorted(self._heap, key=lambda e: -e[1])
        return [(item, score) for score, _, item in ranked]
