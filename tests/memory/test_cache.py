"""BoundedCache: size bound in MB, LRU eviction, TTL, stats; deep_sizeof."""

from __future__ import annotations

import sys
import threading

import pytest

from customer_snapshot.memory import BoundedCache, MemoryOptimizer, deep_sizeof
from customer_snapshot.memory.rss import MB


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def one_mb(key: str, value: object) -> int:
    return MB


def test_evicts_least_recently_used_when_full() -> None:
    cache: BoundedCache[str, int] = BoundedCache(max_mb=3, sizeof=one_mb)
    cache["a"], cache["b"], cache["c"] = 1, 2, 3
    assert cache.get("a") == 1  # a is now the most recently used
    cache["d"] = 4  # evicts b, the least recently used
    assert "b" not in cache
    assert [k for k in cache] == ["c", "a", "d"]
    assert cache.stats()["evictions"] == 1
    assert cache.stats()["size_mb"] == 3


def test_size_is_estimated_from_the_values() -> None:
    cache: BoundedCache[str, str] = BoundedCache(max_mb=1)
    for i in range(10):
        cache[f"k{i}"] = "x" * (200 * 1024)  # ~200 KB each: five fit in 1 MB
    s = cache.stats()
    assert 3 <= s["items"] <= 5
    assert s["size_mb"] <= 1
    assert s["evictions"] == 10 - s["items"]
    assert cache.size_bytes <= cache.max_bytes


def test_ttl_expiry() -> None:
    clock = FakeClock()
    cache: BoundedCache[str, str] = BoundedCache(max_mb=1, ttl_seconds=60, clock=clock)
    cache["a"] = "1"
    clock.now += 59
    assert cache.get("a") == "1"
    cache["b"] = "2"
    clock.now += 1  # a is 60 s old: expired; b is 1 s old
    assert cache.get("a") is None
    assert "b" in cache
    clock.now += 100
    assert cache.purge_expired() == 1
    assert len(cache) == 0
    s = cache.stats()
    assert s["expirations"] == 2
    assert (s["hits"], s["misses"]) == (1, 1)


def test_stats_and_hit_rate() -> None:
    cache: BoundedCache[str, int] = BoundedCache(max_mb=1)
    assert cache.stats()["hit_rate"] == 0.0
    cache["a"] = 1
    for _ in range(3):
        cache.get("a")
    cache.get("zzz")
    with pytest.raises(KeyError):
        cache["nope"]
    s = cache.stats()
    assert (s["hits"], s["misses"]) == (3, 2)
    assert s["hit_rate"] == pytest.approx(0.6)
    assert s["items"] == 1 and s["max_mb"] == 1
    assert set(s) >= {"hits", "misses", "hit_rate", "evictions", "size_mb"}


def test_a_value_larger_than_the_cache_is_not_stored() -> None:
    cache: BoundedCache[str, bytes] = BoundedCache(max_mb=1)
    cache["small"] = b"x"
    assert cache.set("big", b"x" * (2 * MB)) is False
    assert "big" not in cache and "small" in cache
    cache["small"] = b"y" * (2 * MB)  # replacing with an oversized value drops the old one
    assert "small" not in cache
    assert cache.stats()["rejected"] == 2


def test_replacing_a_key_updates_the_size() -> None:
    cache: BoundedCache[str, bytes] = BoundedCache(max_mb=1, sizeof=lambda k, v: len(v))
    cache["a"] = b"x" * 1000
    cache["a"] = b"x" * 10
    assert cache.size_bytes == 10 and len(cache) == 1


def test_max_items() -> None:
    cache: BoundedCache[int, int] = BoundedCache(max_mb=100, max_items=2)
    for i in range(5):
        cache[i] = i
    assert list(cache) == [3, 4]


def test_get_or_set_pop_and_delete() -> None:
    cache: BoundedCache[str, int] = BoundedCache(max_mb=1)
    made: list[int] = []

    def factory() -> int:
        made.append(1)
        return 42

    assert cache.get_or_set("k", factory) == 42
    assert cache.get_or_set("k", factory) == 42
    assert made == [1]
    assert cache.pop("k") == 42 and cache.pop("k") is None
    cache["x"] = 1
    del cache["x"]
    with pytest.raises(KeyError):
        del cache["x"]
    assert [] not in cache  # unhashable: simply not there


def test_registered_with_the_optimizer() -> None:
    optimizer = MemoryOptimizer()
    cache: BoundedCache[str, int] = BoundedCache(max_mb=1, optimizer=optimizer)
    cache["a"] = 1
    assert optimizer.clear_caches() == 1
    assert len(cache) == 0 and cache.size_bytes == 0


def test_thread_safety() -> None:
    cache: BoundedCache[int, int] = BoundedCache(max_mb=1, sizeof=lambda k, v: 1024)

    def work(offset: int) -> None:
        for i in range(2000):
            cache[offset + i] = i
            cache.get(offset + i - 1)

    threads = [threading.Thread(target=work, args=(n * 10_000,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 1024  # exactly full: 1 MB / 1 KB
    assert cache.size_bytes == 1024 * 1024


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        BoundedCache(0)
    with pytest.raises(ValueError):
        BoundedCache(1, ttl_seconds=0)
    with pytest.raises(ValueError):
        BoundedCache(1, max_items=0)


# -- deep_sizeof -----------------------------------------------------------------------------


def test_deep_sizeof_follows_containers() -> None:
    text = "x" * 10_000
    assert deep_sizeof(text) == sys.getsizeof(text)
    assert deep_sizeof([text]) == sys.getsizeof([text]) + sys.getsizeof(text)
    assert deep_sizeof({"k": [text]}) > 10_000
    assert deep_sizeof((text, text)) == sys.getsizeof((text, text)) + sys.getsizeof(text)


def test_deep_sizeof_handles_cycles_and_objects() -> None:
    a: list[object] = []
    a.append(a)
    assert deep_sizeof(a) == sys.getsizeof(a)

    class Slotted:
        __slots__ = ("payload",)

        def __init__(self) -> None:
            self.payload = b"y" * 50_000

    class Plain:
        def __init__(self) -> None:
            self.payload = b"z" * 50_000

    assert deep_sizeof(Slotted()) > 50_000
    assert deep_sizeof(Plain()) > 50_000


def test_deep_sizeof_is_bounded() -> None:
    many = [[i] for i in range(10_000)]
    assert deep_sizeof(many, max_objects=100) < deep_sizeof(many)
