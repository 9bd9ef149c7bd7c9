"""Percentages, money, durations, counts and multipliers: customer_snapshot.nlp.quantities."""

from __future__ import annotations

import time

import pytest

from customer_snapshot.nlp.quantities import Quantity, find_quantities


def _rows(text: str, **kwargs: bool) -> list[tuple[str, str, float, str, str]]:
    found = find_quantities(text, **kwargs)
    for q in found:
        assert text[q.start : q.end] == q.text
    return [(q.text, q.kind, q.value, q.unit, q.normalized) for q in found]


def _one(text: str) -> tuple[str, str, float, str, str]:
    rows = _rows(text, include_numbers=False)
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit", "normalized"),
    [
        ("conversion rose 42% in a month", "42%", 42, "%", "42%"),
        ("markdowns were down forty two percent um versus", "forty two percent", 42, "%", "42%"),
        ("forty two um percent", "forty two um percent", 42, "%", "42%"),
        ("churn fell 18 per cent", "18 per cent", 18, "%", "18%"),
        ("a 3.5 percent increase", "3.5 percent", 3.5, "%", "3.5%"),
        ("uptime of 99.95%", "99.95%", 99.95, "%", "99.95%"),
        ("six and a half percent comp", "six and a half percent", 6.5, "%", "6.5%"),
        ("point five percent of orders", "point five percent", 0.5, "%", "0.5%"),
        ("about half a percent", "half a percent", 0.5, "%", "0.5%"),
        ("a hundred percent adoption", "a hundred percent", 100, "%", "100%"),
        (
            "an ROI of four hundred and twenty percent",
            "four hundred and twenty percent",
            420,
            "%",
            "420%",
        ),
        ("margin up 3 percentage points", "3 percentage points", 3, "pp", "3 pp"),
        ("up two percentage points", "two percentage points", 2, "pp", "2 pp"),
        ("a cut of fifty basis points", "fifty basis points", 50, "bps", "50 bps"),
        ("25 bps lower", "25 bps", 25, "bps", "25 bps"),
    ],
)
def test_percent(text: str, surface: str, value: float, unit: str, normalized: str) -> None:
    assert _one(text) == (surface, "percent", pytest.approx(value), unit, normalized)


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit", "normalized"),
    [
        ("a budget of $2.1M this year", "$2.1M", 2_100_000, "USD", "$2,100,000"),
        ("we asked for $450k", "$450k", 450_000, "USD", "$450,000"),
        ("about $1.7 million in fees", "$1.7 million", 1_700_000, "USD", "$1,700,000"),
        ("paying $285,000 a year", "$285,000", 285_000, "USD", "$285,000"),
        ("a $19.99 add-on", "$19.99", 19.99, "USD", "$19.99"),
        (
            "down two point one million dollars versus",
            "two point one million dollars",
            2_100_000,
            "USD",
            "$2,100,000",
        ),
        ("2.1 million dollars", "2.1 million dollars", 2_100_000, "USD", "$2,100,000"),
        (
            "six hundred and fifty thousand dollars",
            "six hundred and fifty thousand dollars",
            650_000,
            "USD",
            "$650,000",
        ),
        (
            "one point two billion dollars in premium",
            "one point two billion dollars",
            1_200_000_000,
            "USD",
            "$1,200,000,000",
        ),
        ("pays two bucks more an hour", "two bucks", 2, "USD", "$2"),
        ("a hundred grand a year", "a hundred grand", 100_000, "USD", "$100,000"),
        ("about 40 grand.", "40 grand", 40_000, "USD", "$40,000"),
        ("a fee of €30,000", "€30,000", 30_000, "EUR", "€30,000"),
        ("30k euros for the licence", "30k euros", 30_000, "EUR", "€30,000"),
        ("twelve thousand euros", "twelve thousand euros", 12_000, "EUR", "€12,000"),
        ("£5m of savings", "£5m", 5_000_000, "GBP", "£5,000,000"),
        ("USD 30,000 upfront", "USD 30,000", 30_000, "USD", "$30,000"),
        (
            "fifty thousand canadian dollars",
            "fifty thousand canadian dollars",
            50_000,
            "CAD",
            "CAD 50,000",
        ),
        ("a 5-dollar coffee", "5-dollar", 5, "USD", "$5"),
        (
            "a quarter of a million dollars",
            "a quarter of a million dollars",
            250_000,
            "USD",
            "$250,000",
        ),
        ("half a million dollars", "half a million dollars", 500_000, "USD", "$500,000"),
    ],
)
def test_money(text: str, surface: str, value: float, unit: str, normalized: str) -> None:
    assert _one(text) == (surface, "money", pytest.approx(value), unit, normalized)


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit", "normalized"),
    [
        ("we slipped three weeks", "three weeks", 3, "weeks", "3 weeks"),
        ("within 90 days", "90 days", 90, "days", "90 days"),
        ("it takes 2.5 hours now", "2.5 hours", 2.5, "hours", "2.5 hours"),
        ("the report took two full days", "two full days", 2, "days", "2 days"),
        ("eight business days", "eight business days", 8, "days", "8 days"),
        ("a three-year term", "three-year", 3, "years", "3 years"),
        ("a three week lag", "three week", 3, "weeks", "3 weeks"),
        ("a 10-minute stop", "10-minute", 10, "minutes", "10 minutes"),
        ("one more minute please", "one more minute", 1, "minutes", "1 minute"),
        ("about thirty five minutes", "thirty five minutes", 35, "minutes", "35 minutes"),
        ("a thirty second spot", "thirty second", 30, "seconds", "30 seconds"),
        ("loads in under 3 seconds", "3 seconds", 3, "seconds", "3 seconds"),
        ("for the last six months", "six months", 6, "months", "6 months"),
        ("two and a half weeks", "two and a half weeks", 2.5, "weeks", "2.5 weeks"),
        ("about half an hour", "half an hour", 0.5, "hours", "0.5 hours"),
        ("half a day of training", "half a day", 0.5, "days", "0.5 days"),
        ("it took an hour and a half", "an hour and a half", 1.5, "hours", "1.5 hours"),
        ("down for a day and a half", "a day and a half", 1.5, "days", "1.5 days"),
        ("over the last three quarters", "three quarters", 3, "quarters", "3 quarters"),
        ("took like um three um weeks", "three um weeks", 3, "weeks", "3 weeks"),
    ],
)
def test_duration(text: str, surface: str, value: float, unit: str, normalized: str) -> None:
    assert _one(text) == (surface, "duration", pytest.approx(value), unit, normalized)


def test_duration_range_gives_both_ends() -> None:
    rows = _rows("planning went from 4 hours to 20 minutes")
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("4 hours", 4, "hours"),
        ("20 minutes", 20, "minutes"),
    ]


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit", "normalized"),
    [
        ("rolled out to 1,200 users", "1,200 users", 1200, "users", "1,200 users"),
        (
            "three hundred drivers on the app",
            "three hundred drivers",
            300,
            "drivers",
            "300 drivers",
        ),
        ("live in 40 stores", "40 stores", 40, "stores", "40 stores"),
        (
            "eighty four store managers",
            "eighty four store managers",
            84,
            "managers",
            "84 store managers",
        ),
        ("three production lines", "three production lines", 3, "lines", "3 production lines"),
        (
            "five regional claims offices",
            "five regional claims offices",
            5,
            "offices",
            "5 regional claims offices",
        ),
        ("about 140 people", "140 people", 140, "people", "140 people"),
        ("a thousand questions", "a thousand questions", 1000, "questions", "1,000 questions"),
        ("1.5 million users", "1.5 million users", 1_500_000, "users", "1,500,000 users"),
        ("a half million users", "a half million users", 500_000, "users", "500,000 users"),
        ("we sell 500 SKUs", "500 SKUs", 500, "SKUs", "500 SKUs"),
        ("twelve nurses and", "twelve nurses", 12, "nurses", "12 nurses"),
        (
            "the 26 terminal managers",
            "26 terminal managers",
            26,
            "managers",
            "26 terminal managers",
        ),
    ],
)
def test_count(text: str, surface: str, value: float, unit: str, normalized: str) -> None:
    assert _one(text) == (surface, "count", pytest.approx(value), unit, normalized)


@pytest.mark.parametrize(
    ("text", "surface", "value", "normalized"),
    [
        ("a 3x improvement", "3x", 3, "3x"),
        ("a 10X jump", "10X", 10, "10x"),
        ("a 3.4 x return", "3.4 x", 3.4, "3.4x"),
        ("three point four x return on", "three point four x", 3.4, "3.4x"),
        ("three times faster than before", "three times faster", 3, "3x"),
        ("five times more tickets", "five times more", 5, "5x"),
        ("flags three times as many claims", "three times", 3, "3x"),
        ("ten times the volume", "ten times", 10, "10x"),
        ("a 10-fold increase", "10-fold", 10, "10x"),
        ("a tenfold increase", "tenfold", 10, "10x"),
        ("volume doubled in May", "doubled", 2, "2x"),
        ("claims tripled overnight", "tripled", 3, "3x"),
        ("the backlog halved", "halved", 0.5, "0.5x"),
        ("we cut the queue in half", "cut the queue in half", 0.5, "0.5x"),
    ],
)
def test_multiplier(text: str, surface: str, value: float, normalized: str) -> None:
    assert _one(text) == (surface, "multiplier", pytest.approx(value), "x", normalized)


def test_bare_numbers_and_dates() -> None:
    rows = _rows("On March 4th, 2025 we were at 79 out of 84 stores")
    assert [(r[0], r[1]) for r in rows] == [("79", "number"), ("84 stores", "count")]
    assert _rows("we are at 79 out of 84 stores", include_numbers=False) == [
        ("84 stores", "count", 84, "stores", "84 stores")
    ]


def test_bare_number_display() -> None:
    rows = _rows("based on our 2024 volumes, 1200 of them and twenty twenty five")
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("2024", "number", "2024"),
        ("1200", "number", "1,200"),
    ]


def test_offsets_point_into_the_original_text() -> None:
    text = "Inventory, um, is down two point one million dollars; stockouts fell 42%."
    found = find_quantities(text)
    assert [(q.start, q.end) for q in found] == [
        (text.index("two point"), text.index(";")),
        (text.index("42%"), text.index("42%") + 3),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "thirty something percent of forecasts",
        "twenty-ish people",
        "three times a week",
        "two or three times a month",
        "one of the stores",
        "no one complained",
        "in one place managers see everything",
        "three Grand Rapids lines",
        "at one point we paused",
        "hold on a second",
        "one sec",
        "give it a minute",
        "an hour",
        "double counting",
        "doubling down",
        "half the stores",
        "3/4 of the team",
        "24/7 support",
        "at 10:30",
        "in Q2",
        "on 2025-03-04",
        "March 4th, 2025",
        "call 555-0134",
        "version 3.1.7",
        "a 3 x 4 grid",
        "two thirds of the users",
        "hundreds of users",
    ],
)
def test_negatives(text: str) -> None:
    kinds = {q.kind for q in find_quantities(text)}
    assert kinds <= {"number"}, find_quantities(text)
    assert find_quantities(text, include_numbers=False) == []


def test_grand_before_a_name_is_not_money() -> None:
    # ASR lowercases place names: "three grand rapids lines" counts lines, not dollars.
    assert _rows("three grand rapids lines", include_numbers=False) == [
        ("three grand rapids lines", "count", 3, "lines", "3 grand rapids lines")
    ]


def test_frequency_is_not_a_multiplier() -> None:
    assert [q.kind for q in find_quantities("we deploy three times a week")] == ["number"]


def test_quantity_is_frozen() -> None:
    quantity = find_quantities("42%")[0]
    assert isinstance(quantity, Quantity)
    with pytest.raises(AttributeError):
        quantity.value = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        "one " * 3000,
        "twenty " * 3000,
        "1 " * 3000,
        "$" * 10_000 + "1",
        "march " * 3000,
        "a hundred and " * 2000,
        "9/" * 5000,
        "q " * 5000,
        "point " * 5000,
        "half " * 5000,
    ],
)
def test_no_catastrophic_backtracking(text: str) -> None:
    started = time.perf_counter()
    find_quantities(text)
    assert time.perf_counter() - started < 2.0
