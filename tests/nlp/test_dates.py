"""Date, month, quarter and year expressions: customer_snapshot.nlp.dates."""

from __future__ import annotations

from datetime import date

import pytest

from customer_snapshot.nlp.dates import DateMatch, find_dates

REF_YEAR = 2025
# A Wednesday, so "next Monday" and "this Friday" are unambiguous in the tests.
REF_DATE = date(2025, 3, 12)


def _one(text: str, **kwargs: object) -> DateMatch:
    options: dict[str, object] = {"reference_year": REF_YEAR} | kwargs
    found = find_dates(text, **options)  # type: ignore[arg-type]
    assert len(found) == 1, found
    match = found[0]
    assert text[match.start : match.end] == match.text
    return match


# ---------------------------------------------------------------------------------------
# Days
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "surface", "iso", "explicit"),
    [
        # written
        ("We kicked off on March 4th, 2025.", "March 4th, 2025", "2025-03-04", True),
        ("Go-live was Mar. 4, 2024 in the end", "Mar. 4, 2024", "2024-03-04", True),
        ("Signed on 4 March 2025 in Leeds", "4 March 2025", "2025-03-04", True),
        ("the 3rd of March, 2026", "3rd of March, 2026", "2026-03-03", True),
        ("Sept 5 works for the workshop", "Sept 5", "2025-09-05", False),
        ("the term ends on June 30th", "June 30th", "2025-06-30", False),
        ("cutover is on February 29th, 2028", "February 29th, 2028", "2028-02-29", True),
        ("a review on March the 4th", "March the 4th", "2025-03-04", False),
        ("launched October 14th of last year", "October 14th of last year", "2024-10-14", False),
        ("by May 16th", "May 16th", "2025-05-16", False),
        ("by May 16", "May 16", "2025-05-16", False),
        ("by may first", "may first", "2025-05-01", False),
        ("our goal and march fourth is the date", "march fourth", "2025-03-04", False),
        ("went live may twenty eighth", "may twenty eighth", "2025-05-28", False),
        ("starting may first twenty twenty six", "may first twenty twenty six", "2026-05-01", True),
        ("on Jan 6 '25 we", "Jan 6 '25", "2025-01-06", True),
        # spoken (ASR: lowercase, no punctuation)
        (
            "went live january sixth twenty twenty five uh",
            "january sixth twenty twenty five",
            "2025-01-06",
            True,
        ),
        ("the third of march", "third of march", "2025-03-03", False),
        ("on march third we", "march third", "2025-03-03", False),
        ("all stores on april twenty eighth so", "april twenty eighth", "2025-04-28", False),
        ("the outage on december twenty second", "december twenty second", "2025-12-22", False),
        (
            "march fourth twenty twenty four we",
            "march fourth twenty twenty four",
            "2024-03-04",
            True,
        ),
        ("on the twenty first of june", "twenty first of june", "2025-06-21", False),
        (
            "kickoff september eleventh two thousand twenty three",
            "september eleventh two thousand twenty three",
            "2023-09-11",
            True,
        ),
        (
            "november thirtieth nineteen ninety nine",
            "november thirtieth nineteen ninety nine",
            "1999-11-30",
            True,
        ),
        # numeric
        ("the review is on 3/17", "3/17", "2025-03-17", False),
        ("invoice dated 3/17/2025", "3/17/2025", "2025-03-17", True),
        ("invoice dated 3/17/25", "3/17/25", "2025-03-17", True),
        ("on 17/3/2025 in Lyon", "17/3/2025", "2025-03-17", True),
        ("le 17.03.2025", "17.03.2025", "2025-03-17", True),
        ("due 2025-03-04.", "2025-03-04", "2025-03-04", True),
        ("due 2025/03/04", "2025/03/04", "2025-03-04", True),
        ("on 3/4 we meet", "3/4", "2025-03-04", False),
        ("12/5 is the deadline", "12/5", "2025-12-05", False),
    ],
)
def test_days(text: str, surface: str, iso: str, explicit: bool) -> None:
    match = _one(text)
    assert (match.text, match.iso, match.precision, match.year_explicit) == (
        surface,
        iso,
        "day",
        explicit,
    )


def test_day_without_any_year_is_kept_unresolved() -> None:
    match = _one("the pilot starts May 16th", reference_year=None)
    assert (match.iso, match.year, match.month, match.day) == (None, None, 5, 16)
    assert match.precision == "day"
    assert not match.year_explicit


def test_reference_date_gives_the_year() -> None:
    match = _one("by June 30th", reference_year=None, reference_date=REF_DATE)
    assert match.iso == "2025-06-30"


def test_year_after_a_comma_survives_a_plural_noun() -> None:
    assert _one("May 16, 2000 drivers").iso == "2000-05-16"
    # Without the comma "2000 drivers" is a headcount and the year comes from the reference.
    assert _one("May 16 2000 drivers").text == "May 16"


def test_explicit_year_beats_reference_year() -> None:
    assert _one("on March 4th, 2023").iso == "2023-03-04"


@pytest.mark.parametrize(
    ("text", "surface", "period"),
    [
        (
            "UAT from June 9th through June 20th",
            "June 9th through June 20th",
            ("2025-06-09", "2025-06-20"),
        ),
        ("UAT runs June 9-20, 2025", "June 9-20, 2025", ("2025-06-09", "2025-06-20")),
        (
            "from march third to march seventh",
            "march third to march seventh",
            ("2025-03-03", "2025-03-07"),
        ),
        ("June 28th to July 2nd", "June 28th to July 2nd", ("2025-06-28", "2025-07-02")),
    ],
)
def test_day_ranges(text: str, surface: str, period: tuple[str, str]) -> None:
    match = _one(text)
    assert (match.text, match.iso, match.period) == (surface, period[0], period)


def test_range_needs_a_date_on_both_sides() -> None:
    # "to 20 users" is not the end of a range.
    match = _one("on June 9 to 20 users")
    assert (match.text, match.period) == ("June 9", None)


# ---------------------------------------------------------------------------------------
# Months, quarters, years
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "surface", "iso", "period", "modifier"),
    [
        (
            "the cutover is at the end of March",
            "end of March",
            "2025-03-31",
            ("2025-03-01", "2025-03-31"),
            "end",
        ),
        ("ready by mid-April", "mid-April", None, ("2025-04-11", "2025-04-20"), "mid"),
        ("by early march i think", "early march", None, ("2025-03-01", "2025-03-10"), "early"),
        ("in late February", "late February", None, ("2025-02-21", "2025-02-28"), "late"),
        (
            "the beginning of June",
            "beginning of June",
            "2025-06-01",
            ("2025-06-01", "2025-06-30"),
            "beginning",
        ),
        ("we went live in May", "May", None, ("2025-05-01", "2025-05-31"), None),
        (
            "it shipped in october twenty twenty three",
            "october twenty twenty three",
            None,
            ("2023-10-01", "2023-10-31"),
            None,
        ),
        ("Then in October 2023, you", "October 2023", None, ("2023-10-01", "2023-10-31"), None),
        (
            "in august of twenty twenty three",
            "august of twenty twenty three",
            None,
            ("2023-08-01", "2023-08-31"),
            None,
        ),
        ("since September", "September", None, ("2025-09-01", "2025-09-30"), None),
        (
            "a launch in march of next year",
            "march of next year",
            None,
            ("2026-03-01", "2026-03-31"),
            None,
        ),
    ],
)
def test_months(
    text: str, surface: str, iso: str | None, period: tuple[str, str], modifier: str | None
) -> None:
    match = _one(text)
    assert (match.text, match.iso, match.precision, match.period, match.modifier) == (
        surface,
        iso,
        "month",
        period,
        modifier,
    )


@pytest.mark.parametrize(
    ("text", "surface", "iso", "period", "explicit"),
    [
        (
            "by the end of Q2 2025",
            "end of Q2 2025",
            "2025-06-30",
            ("2025-04-01", "2025-06-30"),
            True,
        ),
        ("by the end of Q2", "end of Q2", "2025-06-30", ("2025-04-01", "2025-06-30"), False),
        ("Q3 was rough", "Q3", None, ("2025-07-01", "2025-09-30"), False),
        ("in Q1 next year", "Q1 next year", None, ("2026-01-01", "2026-03-31"), False),
        ("Q4 of 2024", "Q4 of 2024", None, ("2024-10-01", "2024-12-31"), True),
        ("Q4 2024 results", "Q4 2024", None, ("2024-10-01", "2024-12-31"), True),
        ("Q4 '24 numbers", "Q4 '24", None, ("2024-10-01", "2024-12-31"), True),
        ("by q four before the holidays", "q four", None, ("2025-10-01", "2025-12-31"), False),
        (
            "in the second quarter of next year",
            "second quarter of next year",
            None,
            ("2026-04-01", "2026-06-30"),
            False,
        ),
        (
            "a fourth-quarter conversation",
            "fourth-quarter",
            None,
            ("2025-10-01", "2025-12-31"),
            False,
        ),
        (
            "the third quarter of this year",
            "third quarter of this year",
            None,
            ("2025-07-01", "2025-09-30"),
            False,
        ),
        ("beginning of Q3", "beginning of Q3", "2025-07-01", ("2025-07-01", "2025-09-30"), False),
        ("early Q3", "early Q3", None, ("2025-07-01", "2025-07-31"), False),
        (
            "late in the fourth quarter",
            "late in the fourth quarter",
            None,
            ("2025-12-01", "2025-12-31"),
            False,
        ),
    ],
)
def test_quarters(
    text: str, surface: str, iso: str | None, period: tuple[str, str], explicit: bool
) -> None:
    match = _one(text)
    assert (match.text, match.iso, match.precision, match.period, match.year_explicit) == (
        surface,
        iso,
        "quarter",
        period,
        explicit,
    )


def test_quarter_without_year_is_unresolved() -> None:
    match = _one("in Q3", reference_year=None)
    assert (match.quarter, match.period, match.iso) == (3, None, None)


@pytest.mark.parametrize(
    ("text", "surface", "iso", "period", "explicit"),
    [
        (
            "by the end of the year",
            "end of the year",
            "2025-12-31",
            ("2025-01-01", "2025-12-31"),
            False,
        ),
        ("by the end of 2026", "end of 2026", "2026-12-31", ("2026-01-01", "2026-12-31"), True),
        ("early next year", "early next year", None, ("2026-01-01", "2026-04-30"), False),
        ("late 2024", "late 2024", None, ("2024-09-01", "2024-12-31"), True),
        ("mid-2025", "mid-2025", None, ("2025-05-01", "2025-08-31"), True),
        ("back in 2022, the way", "2022", None, ("2022-01-01", "2022-12-31"), True),
        (
            "founded in nineteen fifty two",
            "nineteen fifty two",
            None,
            ("1952-01-01", "1952-12-31"),
            True,
        ),
        (
            "a UK launch in the second half of 2026",
            "second half of 2026",
            None,
            ("2026-07-01", "2026-12-31"),
            True,
        ),
        ("H1 2025 targets", "H1 2025", None, ("2025-01-01", "2025-06-30"), True),
        ("H2 '26 plan", "H2 '26", None, ("2026-07-01", "2026-12-31"), True),
        (
            "in the second half of next year",
            "second half of next year",
            None,
            ("2026-07-01", "2026-12-31"),
            False,
        ),
        (
            "in the first half of the year",
            "first half of the year",
            None,
            ("2025-01-01", "2025-06-30"),
            False,
        ),
        (
            "since two thousand and five",
            "two thousand and five",
            None,
            ("2005-01-01", "2005-12-31"),
            True,
        ),
        ("end of 2025 targets", "end of 2025", "2025-12-31", ("2025-01-01", "2025-12-31"), True),
    ],
)
def test_years(
    text: str, surface: str, iso: str | None, period: tuple[str, str], explicit: bool
) -> None:
    match = _one(text)
    assert (match.text, match.iso, match.precision, match.period, match.year_explicit) == (
        surface,
        iso,
        "year",
        period,
        explicit,
    )


# ---------------------------------------------------------------------------------------
# Relative expressions
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "surface", "iso"),
    [
        ("let's meet next Monday", "next Monday", "2025-03-17"),
        ("this Friday works", "this Friday", "2025-03-14"),
        ("this wednesday then", "this wednesday", "2025-03-12"),
        ("next wednesday then", "next wednesday", "2025-03-19"),
        ("we spoke last Tuesday", "last Tuesday", "2025-03-11"),
        ("I'll send it by friday", "friday", "2025-03-14"),
    ],
)
def test_relative_weekdays(text: str, surface: str, iso: str) -> None:
    match = _one(text, reference_date=REF_DATE)
    assert (match.text, match.iso, match.precision, match.year_explicit) == (
        surface,
        iso,
        "day",
        False,
    )


@pytest.mark.parametrize(
    ("text", "surface", "iso", "precision", "period"),
    [
        (
            "by the end of the month",
            "end of the month",
            "2025-03-31",
            "month",
            ("2025-03-01", "2025-03-31"),
        ),
        ("sometime next month", "next month", None, "month", ("2025-04-01", "2025-04-30")),
        (
            "end of the quarter",
            "end of the quarter",
            "2025-03-31",
            "quarter",
            ("2025-01-01", "2025-03-31"),
        ),
        ("revenue last quarter", "last quarter", None, "quarter", ("2024-10-01", "2024-12-31")),
    ],
)
def test_relative_periods(
    text: str, surface: str, iso: str | None, precision: str, period: tuple[str, str]
) -> None:
    match = _one(text, reference_date=REF_DATE)
    assert (match.text, match.iso, match.precision, match.period) == (
        surface,
        iso,
        precision,
        period,
    )


@pytest.mark.parametrize(
    "text",
    ["let's meet next Monday", "by the end of the month", "early next year", "next quarter"],
)
def test_relative_expressions_need_a_reference(text: str) -> None:
    assert find_dates(text, reference_year=None) == []


# ---------------------------------------------------------------------------------------
# Things that are not dates
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "we may need more time",
        "you may want to check",
        "about 10 may need replacing",
        "they march on regardless",
        "we may first need to check",
        "it may 16 be",
        "and march first was",
        "sales and may need more",
        "i may second that",
        "march four people into the room",  # a spoken cardinal after a month
        "hold on a second",
        "a thirty second spot",
        "upgrade to version 3.17",
        "the call is at 10:30",
        "we offer 24/7 support",
        "3/4 of the stores",
        "9/10 customers agree",
        "we rated it 4/5 overall",
        "a 50/50 split",
        "February 30th, 2025",
        "april thirty first",
        "the 31st of June",
        "13/13/2025",
        "in 2000 stores",
        "in 2025 users",
        "an email from the quarter team",
        "every quarter",
        "a quarter of the users",
        "April's forecast",
        "last year",
        "next year",
        "the month",
        "on Monday",
        "call 555-0134",
        "costs 2025 dollars",
        "it grew by 2,000",
        "it grew by two thousand",
        "version 1.2.25",
    ],
)
def test_negatives(text: str) -> None:
    assert find_dates(text, reference_year=REF_YEAR, reference_date=REF_DATE) == []


def test_invalid_date_does_not_fall_back_to_its_month() -> None:
    # "February thirtieth" is impossible; it must not turn into "February".
    assert find_dates("by february thirtieth", reference_year=REF_YEAR) == []


def test_several_dates_in_one_sentence() -> None:
    text = (
        "Today is Tuesday, March 4th, 2025. Our target go-live is Friday, June 27th, "
        "and the contract ends on June 30th."
    )
    found = find_dates(text, reference_year=2025)
    assert [(d.text, d.iso) for d in found] == [
        ("March 4th, 2025", "2025-03-04"),
        ("June 27th", "2025-06-27"),
        ("June 30th", "2025-06-30"),
    ]
    assert [d.year_explicit for d in found] == [True, False, False]


def test_as_date() -> None:
    assert _one("on March 4th, 2025").as_date() == date(2025, 3, 4)
    assert _one("Q3").as_date() is None


def test_date_match_is_frozen() -> None:
    match = _one("on March 4th, 2025")
    with pytest.raises(AttributeError):
        match.iso = "2025-01-01"  # type: ignore[misc]
