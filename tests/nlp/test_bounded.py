"""Bounded aggregates: customer_snapshot.nlp.bounded."""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_snapshot.nlp.bounded import SampleKeeper, SpaceSaving, TopByScore


def zipf_stream(n_keys: int, length: int, *, s: float = 1.1, seed: int = 7) -> list[str]:
    """A reproducible Zipf-distributed stream over ``n_keys`` keys."""
    rng = random.Random(seed)
    weights = [1 / (rank**s) for rank in range(1, n_keys + 1)]
    keys = [f"k{rank}" for rank in range(1, n_keys + 1)]
    return rng.choices(keys, weights=weights, k=length)


# ---------------------------------------------------------------------------------------
# SpaceSaving
# ---------------------------------------------------------------------------------------


def test_exact_while_under_capacity() -> None:
    counter: SpaceSaving[str] = SpaceSaving(10)
    stream = "a b c a b a d".split()
    for key in stream:
        counter.add(key)
    assert counter.top() == [("a", 3), ("b", 2), ("c", 1), ("d", 1)]
    assert all(counter.error(k) == 0 for k in counter)
    assert counter.total == len(stream)
    assert counter.min_count == 0


def test_weighted_add_and_lookup() -> None:
    counter: SpaceSaving[str] = SpaceSaving(2)
    counter.add("x", 5)
    counter.add("y", 2)
    counter.add("z", 1)  # evicts y (2), inherits it as error
    assert "y" not in counter
    assert counter.get("z") == 3
    assert counter.error("z") == 2
    assert counter.guaranteed("z") == 1
    assert counter.get("missing", -1) == -1
    assert counter.total == 8


def test_rejects_bad_capacity() -> None:
    with pytest.raises(ValueError, match="capacity"):
        SpaceSaving(0)


def test_ten_times_more_distinct_keys_does_not_grow() -> None:
    capacity = 100
    counter: SpaceSaving[str] = SpaceSaving(capacity)
    for i in range(capacity):
        counter.add(f"key{i}")
    size_at_capacity = len(counter)
    for i in range(capacity, 10 * capacity):
        counter.add(f"key{i}")
        assert len(counter) == size_at_capacity == capacity
        # The lazy heap holds exactly one entry per tracked key: it must not leak either.
        assert counter._heap is not None
        assert len(counter._heap) == capacity
    assert len(counter._errors) <= capacity


def test_zipf_heavy_hitters_are_found() -> None:
    stream = zipf_stream(n_keys=20_000, length=100_000)
    truth = Counter(stream)
    capacity = 500
    counter: SpaceSaving[str] = SpaceSaving(capacity)
    for key in stream:
        counter.add(key)
    assert len(counter) == capacity

    # The Space-Saving guarantee: every key said more than N / capacity times is tracked.
    threshold = len(stream) / capacity
    heavy = {k for k, c in truth.items() if c > threshold}
    assert heavy
    assert heavy <= set(counter)

    # Estimates bracket the truth: count - error <= true <= count.
    for key, count in counter.items():
        assert counter.guaranteed(key) <= truth[key] <= count
        assert counter.error(key) <= counter.min_count

    # The top 20 are the true top 20, in order.
    assert [k for k, _ in counter.top(20)] == [k for k, _ in truth.most_common(20)]


def test_untracked_keys_are_bounded_by_min_count() -> None:
    stream = zipf_stream(n_keys=5_000, length=20_000, seed=3)
    truth = Counter(stream)
    counter: SpaceSaving[str] = SpaceSaving(200)
    for key in stream:
        counter.add(key)
    floor = counter.min_count
    assert all(c <= floor for k, c in truth.items() if k not in counter)


def test_add_is_cheap_even_when_every_key_is_new() -> None:
    # The worst case: every add evicts. O(log capacity) each; about 1 µs on a laptop, so
    # 100,000 adds in well under the generous bound below.
    counter: SpaceSaving[int] = SpaceSaving(1000)
    start = time.perf_counter()
    for key in range(100_000):
        counter.add(key)
    assert time.perf_counter() - start < 2.0
    assert len(counter) == 1000


def test_deterministic() -> None:
    stream = zipf_stream(n_keys=1_000, length=5_000, seed=11)

    def run() -> list[tuple[str, int]]:
        counter: SpaceSaving[str] = SpaceSaving(50)
        for key in stream:
            counter.add(key)
        return counter.top()

    assert run() == run()


def test_on_evict_reports_every_dropped_key() -> None:
    evicted: list[str] = []
    counter: SpaceSaving[str] = SpaceSaving(3, on_evict=evicted.append)
    for key in "a a a b b c d e".split():
        counter.add(key)
    # d replaces c (count 1) with 2; then b and d tie at 2 and the older entry, b, goes.
    assert evicted == ["c", "b"]
    assert not set(evicted) & set(counter)


@given(st.lists(st.integers(min_value=0, max_value=30), max_size=300), st.integers(1, 12))
def test_space_saving_invariants(stream: list[int], capacity: int) -> None:
    counter: SpaceSaving[int] = SpaceSaving(capacity)
    for key in stream:
        counter.add(key)
    truth = Counter(stream)
    assert len(counter) == min(capacity, len(truth))
    # Counters always sum to the stream length: counts are only ever moved, never lost.
    assert sum(c for _, c in counter.items()) == len(stream) == counter.total
    for key, count in counter.items():
        assert count - counter.error(key) <= truth[key] <= count
    for key, true_count in truth.items():
        if key not in counter:
            assert true_count <= counter.min_count


def test_top_order_and_ties() -> None:
    counter: SpaceSaving[str] = SpaceSaving(5)
    for key in "b a c a b".split():
        counter.add(key)
    # Equal counts: the key tracked first comes first.
    assert counter.top() == [("b", 2), ("a", 2), ("c", 1)]
    assert counter.top(1) == [("b", 2)]


# ---------------------------------------------------------------------------------------
# SampleKeeper
# ---------------------------------------------------------------------------------------


def test_keeps_first_samples_per_key() -> None:
    keeper: SampleKeeper[str, int] = SampleKeeper(capacity=10, per_key=2)
    for i, key in enumerate("a b a a b a".split()):
        keeper.add(key, i)
    assert keeper.samples("a") == (0, 2)
    assert keeper.samples("b") == (1, 4)
    assert keeper.samples("zzz") == ()
    assert keeper.top() == [("a", 4, (0, 2)), ("b", 2, (1, 4))]


def test_samples_of_evicted_keys_are_dropped() -> None:
    keeper: SampleKeeper[str, str] = SampleKeeper(capacity=2, per_key=3)
    keeper.add("kept", "k1", count=10)
    keeper.add("gone", "g1")
    keeper.add("new", "n1")  # evicts "gone"
    assert keeper.samples("gone") == ()
    assert keeper.samples("new") == ("n1",)
    assert len(keeper) == 2


def test_sample_memory_is_bounded() -> None:
    capacity, per_key = 50, 3
    keeper: SampleKeeper[str, int] = SampleKeeper(capacity=capacity, per_key=per_key)
    for i in range(capacity * 10 * per_key):
        keeper.add(f"key{i % (capacity * 10)}", i)
        assert len(keeper) <= capacity
        assert keeper.sample_count <= capacity * per_key
    assert len(keeper._samples) <= capacity


def test_zero_samples_per_key() -> None:
    keeper: SampleKeeper[str, int] = SampleKeeper(capacity=2, per_key=0)
    keeper.add("a", 1)
    assert keeper.samples("a") == ()
    assert keeper.top() == [("a", 1, ())]
    with pytest.raises(ValueError, match="per_key"):
        SampleKeeper(capacity=2, per_key=-1)


# ---------------------------------------------------------------------------------------
# TopByScore
# ---------------------------------------------------------------------------------------


def test_keeps_best_n() -> None:
    best: TopByScore[str] = TopByScore(3)
    for item, score in [("a", 1), ("b", 5), ("c", 3), ("d", 4), ("e", 0)]:
        best.push(item, score)
    assert best.by_score() == [("b", 5), ("d", 4), ("c", 3)]
    assert best.in_order() == [("b", 5), ("c", 3), ("d", 4)]
    assert best.threshold == 3
    assert len(best) == 3


def test_equal_scores_keep_the_first_seen() -> None:
    best: TopByScore[str] = TopByScore(2)
    assert best.push("first", 1.0)
    assert best.push("second", 1.0)
    assert best.threshold == 1.0
    assert not best.push("third", 1.0)
    assert [item for item, _ in best.in_order()] == ["first", "second"]


def test_zero_capacity_keeps_nothing() -> None:
    best: TopByScore[str] = TopByScore(0)
    assert not best.push("a", 100.0)
    assert best.by_score() == []
    assert best.threshold is None
    with pytest.raises(ValueError, match="negative"):
        TopByScore(-1)


def test_items_need_not_be_comparable() -> None:
    best: TopByScore[dict[str, int]] = TopByScore(2)
    for i in range(5):
        best.push({"i": i}, 1.0)
    assert [item["i"] for item, _ in best.in_order()] == [0, 1]


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=200), st.integers(0, 20))
def test_top_by_score_matches_sorting(scores: list[float], n: int) -> None:
    best: TopByScore[int] = TopByScore(n)
    for i, score in enumerate(scores):
        best.push(i, score)
    expected = sorted(enumerate(scores), key=lambda e: (-e[1], e[0]))[:n]
    assert best.by_score() == expected
    assert best.in_order() == sorted(expected)
    assert len(best) == min(n, len(scores))
