"""Spoken and written number recognition: customer_snapshot.nlp.numbers."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_snapshot.nlp.numbers import (
    NumberMatch,
    find_numbers,
    might_contain_number,
    normalize_numbers,
    normalize_with_offsets,
    words_to_number,
)

# ---------------------------------------------------------------------------------------
# words_to_number
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("zero", 0),
        ("seven", 7),
        ("eleven", 11),
        ("nineteen", 19),
        ("forty two", 42),
        ("forty-two", 42),
        ("Forty-Two", 42),
        ("ninety nine", 99),
        ("one hundred", 100),
        ("a hundred", 100),
        ("a hundred and five", 105),
        ("three hundred and ten", 310),
        ("three hundred ten", 310),
        ("fifteen hundred", 1500),
        ("twenty five hundred", 2500),
        ("a thousand", 1000),
        ("two thousand and five", 2005),
        ("two thousand twenty four", 2024),
        ("six hundred and fifty thousand", 650_000),
        ("one million two hundred thousand", 1_200_000),
        ("three billion", 3_000_000_000),
        ("a million", 1_000_000),
        ("two point one", 2.1),
        ("two point one million", 2_100_000),
        ("one point two five", 1.25),
        ("one point twenty five million", 1_250_000),
        ("ninety five point four", 95.4),
        ("zero point five", 0.5),
        ("one and a half", 1.5),
        ("two and a half million", 2_500_000),
        ("one and a quarter", 1.25),
        ("half a million", 500_000),
        ("half a dozen", 6),
        ("a quarter of a million", 250_000),
        ("three quarters of a billion", 750_000_000),
        ("a half million", 500_000),
        ("a dozen", 12),
        ("two dozen", 24),
        ("one third", 1 / 3),
        ("two thirds", 2 / 3),
        ("third", 3),
        ("twenty first", 21),
        ("twenty-first", 21),
        ("one hundred and first", 101),
        ("thirtieth", 30),
        ("second", 2),  # an explicit span: the caller already knows it is a number
        ("twenty twenty five", 2025),
        ("twenty twenty", 2020),
        ("twenty ten", 2010),
        ("twenty oh five", 2005),
        ("nineteen ninety nine", 1999),
        ("nineteen eighty four", 1984),
        ("42", 42),
        ("1,200", 1200),
        ("1,234,567.89", 1_234_567.89),
        ("1.5", 1.5),
        ("1.5k", 1500),
        ("450K", 450_000),
        ("$2.1M", 2_100_000),
        ("€30,000", 30_000),
        ("5MM", 5_000_000),
        ("3bn", 3_000_000_000),
        ("2.1 million", 2_100_000),
        ("30 thousand", 30_000),
        ("3rd", 3),
        ("21st", 21),
        ("  twelve  ", 12),
    ],
)
def test_words_to_number(span: str, expected: float | None) -> None:
    value = words_to_number(span)
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected)


@pytest.mark.parametrize(
    "span",
    [
        "",
        "a",
        "an",
        "no one",
        "someone",
        "oh",
        "hundred",  # a scale word needs a multiplier: "a hundred", "one hundred"
        "million",
        "thousands",
        "point",
        "point five",  # a leading "point" needs a unit after it: "point five percent"
        "one two three",
        "forty two percent",
        "twenty something",
        "fifty-ish",
        "thirty odd",
        "a million and a half",
        "one of",
        "Q2",
        "10:30",
        "3/17",
        "0th",
        "two, three",
    ],
)
def test_words_to_number_rejects(span: str) -> None:
    assert words_to_number(span) is None


# ---------------------------------------------------------------------------------------
# find_numbers
# ---------------------------------------------------------------------------------------


def _triples(text: str) -> list[tuple[str, float, str]]:
    return [(n.text, n.value, n.kind) for n in find_numbers(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ASR, no punctuation, numbers as words
        (
            "churn went from eleven to seven percent",
            [("eleven", 11, "cardinal"), ("seven", 7, "cardinal")],
        ),
        (
            "we saved about two point four million dollars",
            [("two point four million", 2_400_000, "cardinal")],
        ),
        (
            "the fleet has three hundred and forty trucks",
            [("three hundred and forty", 340, "cardinal")],
        ),
        ("about six and a half percent", [("six and a half", 6.5, "cardinal")]),
        ("uptime was ninety nine point nine", [("ninety nine point nine", 99.9, "cardinal")]),
        ("roughly half a million claims", [("half a million", 500_000, "cardinal")]),
        ("we hired a dozen nurses", [("a dozen", 12, "cardinal")]),
        ("a hundred percent", [("a hundred", 100, "cardinal")]),
        ("forty-one tabs", [("forty-one", 41, "cardinal")]),
        (
            "rollout on june twenty first twenty twenty four",
            [("twenty first", 21, "ordinal"), ("twenty twenty four", 2024, "year")],
        ),
        (
            "founded in nineteen fifty two",
            [("nineteen fifty two", 1952, "year")],
        ),
        ("the pilot closed on march second", [("second", 2, "ordinal")]),
        ("on the twenty second of may", [("twenty second", 22, "ordinal")]),
        ("the second phase", [("second", 2, "ordinal")]),
        ("the third of april", [("third", 3, "ordinal")]),
        ("about two thirds of clinics", [("two thirds", 2 / 3, "fraction")]),
        ("a thirty second spot", [("thirty", 30, "cardinal")]),
        ("wait a second, forty two", [("forty two", 42, "cardinal")]),
        # written style
        (
            "We grew 1,200 accounts to 3,450.",
            [("1,200", 1200, "cardinal"), ("3,450", 3450, "cardinal")],
        ),
        ("a $2.1M budget", [("2.1M", 2_100_000, "cardinal")]),
        ("about $1.7 million", [("1.7 million", 1_700_000, "cardinal")]),
        ("1.5k tickets", [("1.5k", 1500, "cardinal")]),
        ("a 3x lift", [("3", 3, "cardinal")]),
        ("the 3rd and 22nd", [("3rd", 3, "ordinal"), ("22nd", 22, "ordinal")]),
        ("42% of users", [("42", 42, "cardinal")]),
        ("10-15 minutes", [("10", 10, "cardinal"), ("15", 15, "cardinal")]),
        ("Two\nhundred stores", [("Two\nhundred", 200, "cardinal")]),
        ("one store, two depots", [("one", 1, "cardinal"), ("two", 2, "cardinal")]),
    ],
)
def test_find_numbers(text: str, expected: list[tuple[str, float, str]]) -> None:
    found = _triples(text)
    assert [(t, k) for t, _, k in found] == [(t, k) for t, _, k in expected]
    assert [v for _, v, _ in found] == pytest.approx([v for _, v, _ in expected])


@pytest.mark.parametrize(
    "text",
    [
        "one of the reasons we switched",
        "no one noticed",
        "someone asked about anyone else",
        "this one is better than that one",
        "the one thing I would change",
        "which one do you mean",
        "a one-off fix",
        "we do one-on-one coaching",
        "at one point we lost the feed",
        "it took a second",
        "a lot of the team",
        "hundreds of stores and thousands of users",
        "tens of millions",
        "thirty something percent",
        "twenty-ish people",
        "fifty odd sites",
        "ninety five point something",
        "my number is five five five oh one nine two",
        "good point",
        "in Q2 and FY25",
        "meet at 10:30 or 10am",
        "due 3/17, support 24/7, 3/4 of",
        "call 555-0134 or (555) 010-0199",
        "upgrade to v2.3.1 on 10.0.0.1",
        "in the 1990s",
        "on 2025-03-04",
        "5G and 3D and 4GB",
    ],
)
def test_find_numbers_negatives(text: str) -> None:
    assert find_numbers(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "twenty twenty second " * 3000,
        "one " * 5000,
        "a hundred and " * 3000,
        "nineteen oh " * 3000,
        "1,000," * 3000,
        "point " * 5000,
    ],
)
def test_long_adversarial_input_is_fast_and_safe(text: str) -> None:
    started = time.perf_counter()
    find_numbers(text)
    normalize_with_offsets(text, ordinals=True, canonical=True)
    assert time.perf_counter() - started < 2.0


def test_offsets_point_into_the_original_text() -> None:
    text = "Revenue, um, rose forty two percent to $2.1M in twenty twenty four."
    for number in find_numbers(text):
        assert text[number.start : number.end] == number.text
    assert [n.text for n in find_numbers(text)] == ["forty two", "2.1M", "twenty twenty four"]


def test_spoken_flag() -> None:
    spoken = {n.text: n.spoken for n in find_numbers("forty two, 42 and 2.1 million")}
    assert spoken == {"forty two": True, "42": False, "2.1 million": True}


def test_number_match_is_frozen() -> None:
    number = find_numbers("seven")[0]
    assert isinstance(number, NumberMatch)
    with pytest.raises(AttributeError):
        number.value = 8  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "hint"),
    [("thanks everyone", False), ("see you", False), ("forty", True), ("v2", True)],
)
def test_might_contain_number(text: str, hint: bool) -> None:
    assert might_contain_number(text) is hint


# ---------------------------------------------------------------------------------------
# normalize_numbers and offsets
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("down forty two percent", "down 42 percent"),
        ("two point one million dollars", "2100000 dollars"),
        ("six hundred and fifty thousand", "650000"),
        ("about six and a half percent", "about 6.5 percent"),
        ("ninety five point four", "95.4"),
        ("one of the stores grew eighteen percent", "one of the stores grew 18 percent"),
        ("in twenty twenty five", "in 2025"),
        ("april twenty eighth", "april twenty eighth"),  # ordinals only on request
        ("$2.1M and 1,200 users", "$2.1M and 1,200 users"),  # written numbers untouched
        ("two thirds of them", "two thirds of them"),
        ("no numbers here", "no numbers here"),
    ],
)
def test_normalize_numbers(text: str, expected: str) -> None:
    assert normalize_numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("april twenty eighth", "april 28th"),
        ("the first and the second", "the 1st and the 2nd"),
        ("the eleventh, twelfth and thirteenth", "the 11th, 12th and 13th"),
        ("the twenty third", "the 23rd"),
    ],
)
def test_normalize_numbers_ordinals(text: str, expected: str) -> None:
    assert normalize_numbers(text, ordinals=True) == expected


def test_canonical_normalization_rewrites_written_numbers() -> None:
    norm = normalize_with_offsets("$2.1M, 1,200 users, 1.5k and 3rd", canonical=True)
    assert norm.text == "$2100000, 1200 users, 1500 and 3rd"


def test_to_original_maps_spans_back() -> None:
    text = "sales rose forty two percent, about two point one million dollars"
    norm = normalize_with_offsets(text)
    assert norm.text == "sales rose 42 percent, about 2100000 dollars"
    start = norm.text.index("42 percent")
    assert text[slice(*norm.to_original(start, start + len("42 percent")))] == ("forty two percent")
    start = norm.text.index("2100000 dollars")
    assert text[slice(*norm.to_original(start, len(norm.text)))] == (
        "two point one million dollars"
    )
    # Text before the first replacement maps to itself.
    assert norm.to_original(0, 5) == (0, 5)
    # A span edge inside rewritten digits widens to the whole spoken number.
    inside = norm.text.index("2100000") + 3
    assert text[slice(*norm.to_original(inside, inside + 1))] == "two point one million"


def test_number_at() -> None:
    norm = normalize_with_offsets("costs fell forty percent", canonical=True)
    start = norm.text.index("40")
    number = norm.number_at(start, start + 2)
    assert number is not None
    assert number.text == "forty"
    assert norm.number_at(start, start + 1) is None
    assert norm.number_at(0) is None


def test_replacements_agree_with_both_texts() -> None:
    text = "Three hundred drivers, 2.5 hours, the 4th and twenty twenty three."
    norm = normalize_with_offsets(text, ordinals=True, canonical=True)
    for rep in norm.replacements:
        assert text[rep.number.start : rep.number.end] == rep.number.text
        assert norm.text[rep.start : rep.end] in {"300", "2.5", "4th", "2023"}
        assert norm.to_original(rep.start, rep.end) == (rep.number.start, rep.number.end)


# ---------------------------------------------------------------------------------------
# Property: any integer said in words reads back as itself
# ---------------------------------------------------------------------------------------

_ONES = "zero one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def _below_hundred(n: int, hyphen: bool) -> str:
    if n < 10:
        return _ONES[n]
    if n < 20:
        return _TEENS[n - 10]
    tens, ones = divmod(n, 10)
    word = _TENS_WORDS[tens - 2]
    return word if ones == 0 else f"{word}{'-' if hyphen else ' '}{_ONES[ones]}"


def _below_thousand(n: int, *, hyphen: bool, use_and: bool) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(f"{_ONES[hundreds]} hundred")
        if rest and use_and:
            parts.append("and")
    if rest or not hundreds:
        parts.append(_below_hundred(rest, hyphen))
    return " ".join(parts)


def render_words(n: int, *, hyphen: bool = False, use_and: bool = False) -> str:
    """Say ``n`` (0 <= n < 10**12) in English words, US or British style."""
    if n == 0:
        return "zero"
    parts = []
    for scale, name in ((10**9, "billion"), (10**6, "million"), (10**3, "thousand")):
        chunk, n = divmod(n, scale)
        if chunk:
            parts.append(f"{_below_thousand(chunk, hyphen=hyphen, use_and=use_and)} {name}")
    if n:
        if parts and n < 100 and use_and:
            parts.append("and")
        parts.append(_below_thousand(n, hyphen=hyphen, use_and=use_and))
    return " ".join(parts)


def test_renderer_sanity() -> None:
    assert render_words(2_100_345, use_and=True) == (
        "two million one hundred thousand three hundred and forty five"
    )
    assert render_words(1_005, use_and=True) == "one thousand and five"


@given(
    st.integers(min_value=0, max_value=999_999_999),
    st.booleans(),
    st.booleans(),
)
def test_spoken_integers_round_trip(n: int, hyphen: bool, use_and: bool) -> None:
    words = render_words(n, hyphen=hyphen, use_and=use_and)
    assert words_to_number(words) == n
    sentence = f"last quarter we processed {words} claims"
    found = find_numbers(sentence)
    assert [(m.value, m.kind, m.text) for m in found] == [(n, "cardinal", words)]
    assert normalize_numbers(sentence) == f"last quarter we processed {n} claims"


@given(st.integers(min_value=0, max_value=999_999_999))
def test_written_integers_round_trip(n: int) -> None:
    assert words_to_number(f"{n:,}") == n
    assert words_to_number(str(n)) == n
