"""Find calendar dates, months, quarters and years in transcript text.

Customer calls name dates in many ways: "March 4th, 2025", "4 March 2025", "the third of
March", "3/17", "end of Q2", "mid-April", and, in speech-to-text output without digits,
"january sixth twenty twenty five". Spoken numbers are first rewritten as digits by
:mod:`customer_snapshot.nlp.numbers` (keeping a map back to the original), then a small set
of patterns runs over that normalized text, and every match is reported with offsets into
the original text so evidence quotes what was said.

Rules that keep it conservative (an empty answer beats a wrong one):

* "may" and "march" are verbs more often than months: a bare month needs a preposition
  ("in May", "by March"), a modifier ("end of March") or a year.
* A month with a spoken cardinal ("march four") is not a date; people say "march fourth".
* "24/7", "3/4 of", ratings such as "4/5", versions "3.17" and times "10:30" are not dates.
* Impossible dates (February 30th) are rejected, not clamped.
* Relative expressions ("next Monday", "end of the month", "early next year") are only
  returned when they can be resolved against the reference date or year.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from customer_snapshot.nlp.numbers import (
    NormalizedText,
    looks_plural_noun,
    normalize_with_offsets,
    trie_pattern,
)

__all__ = ["DateMatch", "Precision", "find_dates"]

Precision = Literal["day", "month", "quarter", "year"]


@dataclass(frozen=True, slots=True)
class DateMatch:
    """One date expression found in a text.

    Attributes:
        start: Offset of the first character in the original text.
        end: Offset one past the last character.
        text: The surface form, ``text[start:end]`` of the original text.
        iso: ``YYYY-MM-DD`` when the expression names one day (including "end of Q2"),
            otherwise None (also when the year is unknown).
        precision: ``"day"``, ``"month"``, ``"quarter"`` or ``"year"``.
        year_explicit: True when the year itself was said ("2025", "twenty twenty five");
            False when it came from the reference year or a relative phrase ("next year").
        period: First and last day (ISO, inclusive) of a range, month, quarter or year,
            narrowed by "early", "mid" and "late"; None when the year is unknown.
        year: The resolved year, if any.
        month: The month (1-12), if the expression names one.
        day: The day of the month, if the expression names one.
        quarter: The quarter (1-4), for quarter expressions.
        modifier: ``"beginning"``, ``"early"``, ``"mid"``, ``"late"`` or ``"end"``, if said.
    """

    start: int
    end: int
    text: str
    iso: str | None
    precision: Precision
    year_explicit: bool
    period: tuple[str, str] | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    quarter: int | None = None
    modifier: str | None = None

    def as_date(self) -> date | None:
        """Return :attr:`iso` as a :class:`datetime.date` (None when not resolved to a day).

        Example:
            >>> find_dates("due 2025-03-04", reference_year=None)[0].as_date()
            datetime.date(2025, 3, 4)
        """
        return date.fromisoformat(self.iso) if self.iso else None


@dataclass(frozen=True, slots=True)
class _Value:
    precision: Precision
    year_explicit: bool
    iso: str | None = None
    period: tuple[str, str] | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    quarter: int | None = None
    modifier: str | None = None


@dataclass(frozen=True, slots=True)
class _Cand:
    start: int  # normalized-text offsets
    end: int
    value: _Value | None  # None: an invalid date that still blocks shorter readings


@dataclass(frozen=True, slots=True)
class _Ctx:
    year: int | None
    today: date | None


@dataclass(frozen=True, slots=True)
class _YearTail:
    end: int
    year: int | None
    explicit: bool


# ---------------------------------------------------------------------------------------
# Patterns (run on the normalized text: spoken numbers are digits there)
# ---------------------------------------------------------------------------------------

_MONTH_NUMBERS: Final = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_VERB_MONTHS: Final = frozenset({"may", "march", "mar"})
_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ORDINAL_QUARTERS: Final = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
_MODIFIERS: Final = {
    "beginning": "beginning",
    "start": "beginning",
    "early": "early",
    "middle": "mid",
    "mid": "mid",
    "late": "late",
    "end": "end",
}

_MONTH_FULL: Final = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
)
# Full names first so "mar" never wins over "march"; abbreviations only with a day or year.
_MONTH_ANY: Final = _MONTH_FULL[:-1] + r"|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)"
_WEEKDAY: Final = "(?:" + "|".join(_WEEKDAYS) + ")"
_DAY: Final = r"(?P<day>\d{1,2})(?P<suf>st|nd|rd|th)?(?![\w/:]|[.,]\d)"
_YEAR4: Final = r"(?P<year>(?:19|20)\d{2})(?![\w%]|[.,]\d)"
# "end of", "the beginning of", "early", "mid-", "late in the".
_MOD: Final = (
    r"(?:(?P<mod>beginning|start|middle|end)\s+of\s+(?:the\s+)?"
    r"|(?P<mod2>early|late|mid)(?:\s*-\s*|\s+)(?:in\s+)?(?:the\s+)?)"
)

_FLAGS: Final = re.IGNORECASE
_MONTH_DAY_RE: Final = re.compile(
    rf"\b(?P<mon>{_MONTH_ANY})\b\.?\s+(?:the\s+)?{_DAY}",
    _FLAGS,
)
_DAY_MONTH_RE: Final = re.compile(
    rf"(?<![\w.,/:-]){_DAY}\s+(?P<of>of\s+)?(?P<mon>{_MONTH_ANY})\b\.?",
    _FLAGS,
)
_RANGE_TAIL_RE: Final = re.compile(
    rf"(?:\s*(?P<dash>[-–—])\s*|\s+(?:to|through|thru|until|till)\s+(?:the\s+)?)"
    rf"(?:(?P<mon>{_MONTH_ANY})\b\.?\s+(?:the\s+)?)?{_DAY}",
    _FLAGS,
)
_YEAR_TAIL_RE: Final = re.compile(
    rf"\s*,?\s*(?:of\s+)?(?:{_YEAR4}|['’](?P<yy>\d{{2}})\b|(?P<rel>this|next|last)\s+year\b)",
    _FLAGS,
)
_MONTH_RE: Final = re.compile(rf"(?:\b{_MOD})?\b(?P<mon>{_MONTH_FULL})\b(?!['’]s\b|-\w)", _FLAGS)
_QUARTER_RE: Final = re.compile(
    rf"(?:\b{_MOD})?(?:\bq\s?(?P<q>[1-4])\b"
    rf"|\b(?P<qo>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter\b)",
    _FLAGS,
)
_YEAR_MOD_RE: Final = re.compile(
    rf"\b{_MOD}(?:{_YEAR4}|(?:(?:the|this)\s+)?year\b|(?P<rel>next|last)\s+year\b)",
    _FLAGS,
)
_BARE_YEAR_RE: Final = re.compile(
    rf"\b(?:in|by|since|until|till|through|thru|during|from|before|after|around|circa)\s+{_YEAR4}",
    _FLAGS,
)
_HALF_RE: Final = re.compile(
    r"\b(?:(?P<h>first|second|1st|2nd)\s+half\s+of\s+|h(?P<hn>[12])\s*)"
    rf"(?:{_YEAR4}|['’](?P<yy>\d{{2}})\b|(?:the|this)\s+year\b|(?P<rel>next|last)\s+year\b)",
    _FLAGS,
)
_ISO_RE: Final = re.compile(
    r"(?<![\w./-])(?P<y>(?:19|20)\d{2})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"(?![\w/-]|[.,:]\d)"
)
_NUMERIC_YEAR_RE: Final = re.compile(
    r"(?<![\w./-])(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{4}|\d{2})"
    r"(?![\w/-]|[.,:]\d)"
)
_NUMERIC_RE: Final = re.compile(r"(?<![\w./-])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\w/%-]|[.,:]\d)")
_REL_WEEKDAY_RE: Final = re.compile(
    rf"\b(?P<rel>next|this\s+coming|this|coming|last)\s+(?P<wd>{_WEEKDAY})\b", _FLAGS
)
_BY_WEEKDAY_RE: Final = re.compile(rf"\b(?:by|until|till|before)\s+(?P<wd>{_WEEKDAY})\b", _FLAGS)
_REL_PERIOD_RE: Final = re.compile(
    rf"(?:\b{_MOD})?\b(?:(?P<rel>this|next|last)\s+)?(?P<unit>month|quarter)\b", _FLAGS
)
_PREP_BEFORE_RE: Final = re.compile(
    r"\b(?:in|by|since|until|till|through|thru|from|during|before|after|around|between|on"
    r"|of|starting|due)\s+$",
    _FLAGS,
)
_WORD_BEFORE_RE: Final = re.compile(r"\b([A-Za-z']+)\s+$")
# Words after which "may" and "march" are verbs: "we may", "it may", "troops march".
_SUBJECTS: Final = frozenset(
    {"i", "we", "you", "they", "he", "she", "it", "this", "that", "which", "who", "there"}
    | {"one", "someone", "people", "things", "i'd", "we'd", "you'd", "they'd", "it'd"}
    | {"troops", "crowds"}
)
_CONJUNCTIONS: Final = frozenset({"and", "or", "but", "so"})
_DATE_PREP_BEFORE_RE: Final = re.compile(
    r"\b(?:on|by|due|until|till|before|after|from|through|thru|since|starting|dated)\s+$",
    _FLAGS,
)
_NEXT_WORD_RE: Final = re.compile(r"\s*(?P<w>%|[A-Za-z]+)")
_FRACTION_TAIL_RE: Final = re.compile(r"\s*(?:of\b|ths?\b|rds?\b|nds?\b)", _FLAGS)
_UNIT_WORDS: Final = frozenset(
    {"%", "percent", "per", "dollars", "dollar", "bucks", "euros", "x", "times", "k", "m"}
)
_MONTH_HINT_RE: Final = re.compile(rf"\b{trie_pattern(frozenset(_MONTH_NUMBERS))}\b", _FLAGS)
_PREFILTER_RE: Final = re.compile(
    r"\d|\b"
    + trie_pattern(
        frozenset(_MONTH_NUMBERS)
        | frozenset(_WEEKDAYS)
        | {"q", "quarter", "year", "month", "half", "twenty", "nineteen", "thousand"}
    )
    + r"\b",
    _FLAGS,
)
_Q_HINT_RE: Final = re.compile(r"\bq\s?[1-4]\b", _FLAGS)
_YEAR_HINT_RE: Final = re.compile(r"(?:19|20)\d\d")

# ---------------------------------------------------------------------------------------
# Calendar helpers
# ---------------------------------------------------------------------------------------


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _valid_day(year: int | None, month: int, day: int) -> bool:
    # Without a year, allow February 29th (2000 was a leap year).
    return 1 <= month <= 12 and 1 <= day <= _last_day(year or 2000, month)


def _iso(year: int, month: int, day: int) -> str:
    return date(year, month, day).isoformat()


def _narrow(first: date, last: date, modifier: str | None) -> tuple[str | None, str, str]:
    """Apply "beginning"/"end" to a period: (iso of the day it names, start, end).

    "End of Q2" names one day (the last) but keeps the whole quarter as its period.
    """
    if modifier == "beginning":
        return first.isoformat(), first.isoformat(), last.isoformat()
    if modifier == "end":
        return last.isoformat(), first.isoformat(), last.isoformat()
    return None, first.isoformat(), last.isoformat()


def _month_thirds(year: int, month: int, modifier: str | None) -> tuple[str | None, str, str]:
    # Months are split at the 10th and 20th, the way people mean "early/mid/late March".
    first, last = date(year, month, 1), date(year, month, _last_day(year, month))
    if modifier == "early":
        return None, first.isoformat(), date(year, month, 10).isoformat()
    if modifier == "mid":
        return None, date(year, month, 11).isoformat(), date(year, month, 20).isoformat()
    if modifier == "late":
        return None, date(year, month, 21).isoformat(), last.isoformat()
    return _narrow(first, last, modifier)


def _quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    last_month = 3 * quarter
    return date(year, last_month - 2, 1), date(year, last_month, _last_day(year, last_month))


def _quarter_value(
    year: int | None, quarter: int, modifier: str | None, *, explicit: bool
) -> _Value:
    if year is None:
        return _Value("quarter", explicit, quarter=quarter, modifier=modifier)
    first, last = _quarter_bounds(year, quarter)
    if modifier in ("early", "mid", "late"):
        # Early/mid/late quarter: its first, second or third month.
        month = first.month + ("early", "mid", "late").index(modifier)
        first, last = date(year, month, 1), date(year, month, _last_day(year, month))
        iso, lo, hi = None, first.isoformat(), last.isoformat()
    else:
        iso, lo, hi = _narrow(first, last, modifier)
    return _Value("quarter", explicit, iso, (lo, hi), year, quarter=quarter, modifier=modifier)


def _year_value(year: int, modifier: str | None, *, explicit: bool) -> _Value:
    first, last = date(year, 1, 1), date(year, 12, 31)
    if modifier == "early":
        lo, hi = first, date(year, 4, 30)
    elif modifier == "mid":
        lo, hi = date(year, 5, 1), date(year, 8, 31)
    elif modifier == "late":
        lo, hi = date(year, 9, 1), last
    else:
        iso, lo_s, hi_s = _narrow(first, last, modifier)
        return _Value("year", explicit, iso, (lo_s, hi_s), year, modifier=modifier)
    return _Value("year", explicit, None, (lo.isoformat(), hi.isoformat()), year, modifier=modifier)


def _modifier(m: re.Match[str]) -> str | None:
    raw = m.group("mod") or m.group("mod2")
    return _MODIFIERS[raw.lower()] if raw else None


def _relative_year(word: str, ctx: _Ctx) -> int | None:
    if ctx.year is None:
        return None
    return ctx.year + {"this": 0, "the": 0, "next": 1, "last": -1}[word.lower()]


# ---------------------------------------------------------------------------------------
# Number checks against the normalized text
# ---------------------------------------------------------------------------------------


def _unit_follows(s: str, pos: int, *, plurals: bool) -> bool:
    """True when a unit follows ("2025 dollars"), or with ``plurals`` a count noun ("2000
    stores"): then the number is an amount, not a year."""
    m = _NEXT_WORD_RE.match(s, pos)
    if m is None:
        return False
    word = m.group("w")
    return word.lower() in _UNIT_WORDS or (plurals and looks_plural_noun(word))


def _day_number(norm: NormalizedText, m: re.Match[str]) -> int | None:
    """The day of month matched by ``_DAY`` in ``m``, or None when it is not a plain day."""
    start = m.start("day")
    end = m.end("suf") if m.group("suf") else m.end("day")
    number = norm.number_at(start, end)
    if number is None or number.kind not in ("cardinal", "ordinal"):
        return None
    if number.kind == "cardinal" and number.spoken:
        return None  # "march four": people say "march fourth"; "may two people" is not a date
    if not number.value.is_integer() or not 1 <= number.value <= 31:
        return None
    return int(number.value)


def _year_number(norm: NormalizedText, m: re.Match[str], s: str, *, in_context: bool) -> int | None:
    """The year matched by ``_YEAR4``; ``in_context`` when what precedes already makes it a
    year ("Q4 2024 results", "March 2025 numbers"), so a plural noun after it is fine."""
    start, end = m.span("year")
    number = norm.number_at(start, end)
    if number is None or number.kind not in ("cardinal", "year"):
        return None
    if number.kind == "cardinal" and (
        # "by 2,000" and "by two thousand" are amounts; "two thousand and five" is a year.
        not 2001 <= number.value <= 2099
        if number.spoken
        else not (len(number.text) == 4 and number.text.isdigit())
    ):
        return None
    if _unit_follows(s, end, plurals=not in_context):
        return None
    return int(number.value)


def _year_tail(
    norm: NormalizedText, s: str, pos: int, ctx: _Ctx, *, in_context: bool
) -> _YearTail | None:
    """A year said after a date: ", 2025", "of twenty twenty five", "'25", "of next year"."""
    m = _YEAR_TAIL_RE.match(s, pos)
    if m is None:
        return None
    if m.group("year"):
        # "May 16, 2000 drivers" is still a year; "May 16 2000 drivers" is a headcount.
        context = in_context or "," in m.group(0)
        year = _year_number(norm, m, s, in_context=context)
        return None if year is None else _YearTail(m.end(), year, True)
    if m.group("yy"):
        return _YearTail(m.end(), 2000 + int(m.group("yy")), True)
    return _YearTail(m.end(), _relative_year(m.group("rel"), ctx), False)


def _day_value(
    year: int | None, month: int, day: int, *, explicit: bool, until: tuple[int, int] | None
) -> _Value | None:
    if not _valid_day(year, month, day):
        return None
    if until is not None and not _valid_day(year, *until):
        return None
    iso = _iso(year, month, day) if year is not None else None
    period = None
    if until is not None and year is not None:
        period = (iso or "", _iso(year, *until))
    return _Value("day", explicit, iso, period, year, month, day)


# ---------------------------------------------------------------------------------------
# Finders: each appends candidates in normalized offsets
# ---------------------------------------------------------------------------------------


def _modal_verb(norm: NormalizedText, m: re.Match[str], *, with_day: bool) -> bool:
    """ "we may", "it may", "they march": a verb after a subject, not a month.

    A bare month also yields to a conjunction ("sales and may need"); with a day after it
    ("and march fourth is the date") the month reading wins.
    """
    if m.group("mon").lower() not in _VERB_MONTHS:
        return False
    before = _WORD_BEFORE_RE.search(norm.text, max(0, m.start("mon") - 12), m.start("mon"))
    if before is None:
        return False
    word = before.group(1).lower()
    return word in _SUBJECTS or (not with_day and word in _CONJUNCTIONS)


def _adverb_first(norm: NormalizedText, m: re.Match[str]) -> bool:
    """ASR "we may first check" reads as "may 1st"; without a year or a preposition
    ("by may first") a lowercase "may first"/"march first" is the adverb."""
    if m.group("mon") not in _VERB_MONTHS or m.group("suf") is None:
        return False
    number = norm.number_at(m.start("day"), m.end("suf"))
    if number is None or number.text.lower() != "first":
        return False
    return not _PREP_BEFORE_RE.search(norm.text, max(0, m.start() - 16), m.start())


def _find_month_day(norm: NormalizedText, ctx: _Ctx, out: list[_Cand]) -> None:
    s = norm.text
    for m in _MONTH_DAY_RE.finditer(s):
        day = _day_number(norm, m)
        if day is None or _modal_verb(norm, m, with_day=True):
            continue
        month = _MONTH_NUMBERS[m.group("mon").lower()]
        end = m.end()
        until: tuple[int, int] | None = None
        r = _RANGE_TAIL_RE.match(s, end)
        if r is not None and (r.group("dash") or r.group("mon") or r.group("suf")):
            day2 = _day_number(norm, r)
            month2 = _MONTH_NUMBERS[r.group("mon").lower()] if r.group("mon") else month
            if day2 is not None and (month2, day2) > (month, day):
                until, end = (month2, day2), r.end()
        tail = _year_tail(norm, s, end, ctx, in_context=False)
        if tail is None and until is None and _adverb_first(norm, m):
            continue
        year, explicit = (tail.year, tail.explicit) if tail else (ctx.year, False)
        if tail:
            end = tail.end
        value = _day_value(year, month, day, explicit=explicit, until=until)
        out.append(_Cand(m.start(), end, value))


def _find_day_month(norm: NormalizedText, ctx: _Ctx, out: list[_Cand]) -> None:
    s = norm.text
    for m in _DAY_MONTH_RE.finditer(s):
        day = _day_number(norm, m)
        if day is None:
            continue
        mon = m.group("mon").lower()
        tail = _year_tail(norm, s, m.end(), ctx, in_context=False)
        if tail is None and not m.group("suf") and not m.group("of") and mon in _VERB_MONTHS:
            continue  # "about 10 may need replacing"
        year, explicit = (tail.year, tail.explicit) if tail else (ctx.year, False)
        value = _day_value(year, _MONTH_NUMBERS[mon], day, explicit=explicit, until=None)
        out.append(_Cand(m.start(), tail.end if tail else m.end(), value))


def _find_numeric(norm: NormalizedText, ctx: _Ctx, out: list[_Cand]) -> None:
    s = norm.text
    for m in _ISO_RE.finditer(s):
        y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        out.append(_Cand(m.start(), m.end(), _day_value(y, mo, d, explicit=True, until=None)))
    for m in _NUMERIC_YEAR_RE.finditer(s):
        a, b, c = int(m.group("a")), int(m.group("b")), m.group("c")
        y = int(c) if len(c) == 4 else 2000 + int(c)
        if m.group("sep") == "." and len(c) != 4:
            continue  # "1.2.25" is a version number
        # Dotted dates are European (day first); slashed ones US unless the day comes first.
        day_first = m.group("sep") == "." or (a > 12 >= b)
        mo, d = (b, a) if day_first else (a, b)
        out.append(_Cand(m.start(), m.end(), _day_value(y, mo, d, explicit=True, until=None)))
    for m in _NUMERIC_RE.finditer(s):
        a, b = int(m.group("a")), int(m.group("b"))
        if a > 12 or b > 31 or a == 0:
            continue  # "24/7", "50/50", and no day-first guessing without a year
        if _FRACTION_TAIL_RE.match(s, m.end()) or _unit_follows(s, m.end(), plurals=True):
            continue  # "3/4 of the stores", "9/10 customers"
        if b <= 10 and a <= b and not _DATE_PREP_BEFORE_RE.search(s, 0, m.start()):
            continue  # "rated it 4/5", "1/2": a fraction or score unless "on 3/4"
        value = _day_value(ctx.year, a, b, explicit=False, until=None)
        if value is not None:
            out.append(_Cand(m.start(), m.end(), value))


def _find_month(norm: NormalizedText, ctx: _Ctx, out: list[_Cand]) -> None:
    s = norm.text
    for m in _MONTH_RE.finditer(s):
        if _modal_verb(norm, m, with_day=False):
            continue
        modifier = _modifier(m)
        tail = _year_tail(norm, s, m.end(), ctx, in_context=True)
        if (
            tail is None
            and modifier is None
            and not _PREP_BEFORE_RE.search(s, max(0, m.start() - 16), m.start())
        ):
            continue  # "we may need", "they march on", "April said"
        month = _MONTH_NUMBERS[m.group("mon").lower()]
        year, explicit = (tail.year, tail.explicit) if tail else (ctx.year, False)
        end = tail.end if tail else m.end()
        if year is None:
            value = _Value("month", explicit, month=month, modifier=modifier)
        else:
            iso, lo, hi = _month_thirds(year, month, modifier)
            value = _Value("month", explicit, iso, (lo, hi), year, month, modifier=modifier)
        out.append(_Cand(m.start(), end, value))


def _find_quarter(norm: NormalizedText, ctx: _Ctx, out: list[_Cand]) -> None:
    s = norm.text
    for m in _QUARTER_RE.finditer(s):
        quarter = int(m.group("q")) if m.group("q") else _ORDINAL_QUARTERS[m.group("qo").lower()]
        tail = _year_tail(norm, s, m.end(), ctx, in_context=True)
        year, explicit = (tail.year, tail.explicit) if tail else (ctx.year, False)
        value = _quarter_value(year, quarter, _modifier(m), explicit=explicit)
        out.append(_Cand(m.start(), tail.end if tail else m.end(), value))


def _find_years(norm: NormalizedText, ctx: _Ctx, out: list[_Cand]) -> None:
    s = norm.text
    for m in _YEAR_MOD_RE.finditer(s):
        if m.group("year"):
            year, explicit = _year_number(norm, m, s, in_context=True), True
        else:
            year, explicit = _relative_year(m.group("rel") or "this", ctx), False
        if year is not None:
            out.append(
                _Cand(m.start(), m.end(), _year_value(year, _modifier(m), explicit=explicit))
            )
    for m in _BARE_YEAR_RE.finditer(s):
        year = _year_number(norm, m, s, in_context=False)
        if year is not None:
            out.append(_Cand(m.start("year"), m.end(), _year_value(year, None, explicit=True)))
    for m in _HALF_RE.finditer(s):
        if m.group("year"):
            year, explicit = _year_number(norm, m, s, in_context=True), True
        elif m.group("yy"):
            year, explicit = 2000 + int(m.group("yy")), True
        else:
            year, explicit = _relative_year(m.group("rel") or "this", ctx), False
        if year is None:
            continue
        second = m.group("hn") == "2" or (m.group("h") or "").lower() in ("second", "2nd")
        period = (
            (f"{year}-07-01", f"{year}-12-31") if second else (f"{year}-01-01", f"{year}-06-30")
        )
        out.append(_Cand(m.start(), m.end(), _Value("year", explicit, None, period, year)))


def _find_relative(norm: NormalizedText, ctx: _Ctx, out: list[_Cand]) -> None:
    today = ctx.today
    if today is None:
        return
    s = norm.text
    for m in _REL_WEEKDAY_RE.finditer(s):
        rel = m.group("rel").lower()
        target = _WEEKDAYS.index(m.group("wd").lower())
        ahead = (target - today.weekday()) % 7
        if rel == "next":
            delta = ahead or 7  # the first one strictly after today
        elif rel == "last":
            delta = -((today.weekday() - target) % 7 or 7)
        else:
            delta = ahead  # "this Friday", "this coming Friday": today counts
        out.append(_Cand(m.start(), m.end(), _weekday_value(today + timedelta(days=delta))))
    for m in _BY_WEEKDAY_RE.finditer(s):
        target = _WEEKDAYS.index(m.group("wd").lower())
        delta = (target - today.weekday()) % 7 or 7
        value = _weekday_value(today + timedelta(days=delta))
        out.append(_Cand(m.start("wd"), m.end(), value))
    for m in _REL_PERIOD_RE.finditer(s):
        modifier = _modifier(m)
        rel = (m.group("rel") or "").lower()
        if not rel and modifier is None:
            continue  # a bare "the month" / "quarter" names no period
        step = {"next": 1, "last": -1}.get(rel, 0)
        if m.group("unit").lower() == "month":
            index = today.year * 12 + today.month - 1 + step
            year, month = divmod(index, 12)
            iso, lo, hi = _month_thirds(year, month + 1, modifier)
            value = _Value("month", False, iso, (lo, hi), year, month + 1, modifier=modifier)
        else:
            index = today.year * 4 + (today.month - 1) // 3 + step
            year, q0 = divmod(index, 4)
            value = _quarter_value(year, q0 + 1, modifier, explicit=False)
        out.append(_Cand(m.start(), m.end(), value))


def _weekday_value(day: date) -> _Value:
    return _Value("day", False, day.isoformat(), None, day.year, day.month, day.day)


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Keep the longest candidate at each place; no two kept candidates overlap."""
    cands.sort(key=lambda c: (c.start, c.start - c.end))
    kept: list[_Cand] = []
    last_end = -1
    for cand in cands:
        if cand.start >= last_end:
            kept.append(cand)
            last_end = cand.end
    return kept


def find_dates(
    text: str, *, reference_year: int | None, reference_date: date | None = None
) -> list[DateMatch]:
    """Find dates, months, quarters and years in ``text``.

    Args:
        text: A sentence, cue or turn; ASR text without punctuation is fine.
        reference_year: The year the call is about, used when a date is said without one
            ("March 4th"); such matches have ``year_explicit=False``. None leaves those
            dates unresolved (``iso`` None) unless ``reference_date`` gives the year.
        reference_date: The day of the call. Needed for relative expressions ("next
            Monday", "end of the month"); they are skipped without it.

    Returns:
        Non-overlapping matches in order, with offsets into ``text``.

    Example:
        >>> [(d.text, d.iso, d.precision) for d in find_dates(
        ...     "we kicked off on January 6th, 2025", reference_year=None)]
        [('January 6th, 2025', '2025-01-06', 'day')]
        >>> d = find_dates("went live january sixth twenty twenty five", reference_year=None)[0]
        >>> d.text, d.iso, d.year_explicit
        ('january sixth twenty twenty five', '2025-01-06', True)
        >>> d = find_dates("by the end of Q2", reference_year=2025)[0]
        >>> d.text, d.iso, d.precision, d.period, d.year_explicit
        ('end of Q2', '2025-06-30', 'quarter', ('2025-04-01', '2025-06-30'), False)
        >>> find_dates("we may need more time, 24/7", reference_year=2025)
        []
    """
    if not _PREFILTER_RE.search(text):
        return []
    if reference_year is None and reference_date is not None:
        reference_year = reference_date.year
    ctx = _Ctx(reference_year, reference_date)
    norm = normalize_with_offsets(text, ordinals=True, canonical=True)
    s = norm.text
    low = s.lower()
    cands: list[_Cand] = []
    # Each finder runs only when a cheap hint says it could match: this is called for every
    # sentence of a call and most sentences hold no date at all.
    if _MONTH_HINT_RE.search(s):
        _find_month_day(norm, ctx, cands)
        _find_day_month(norm, ctx, cands)
        _find_month(norm, ctx, cands)
    if "/" in s or "-" in s or "." in s:
        _find_numeric(norm, ctx, cands)
    if "quarter" in low or _Q_HINT_RE.search(s):
        _find_quarter(norm, ctx, cands)
    if "year" in low or "h1" in low or "h2" in low or _YEAR_HINT_RE.search(s):
        _find_years(norm, ctx, cands)
    if reference_date is not None and ("day" in low or "month" in low or "quarter" in low):
        _find_relative(norm, ctx, cands)
    found: list[DateMatch] = []
    for cand in _select(cands):
        v = cand.value
        if v is None:
            continue
        start, end = norm.to_original(cand.start, cand.end)
        found.append(
            DateMatch(
                start,
                end,
                text[start:end],
                v.iso,
                v.precision,
                v.year_explicit,
                v.period,
                v.year,
                v.month,
                v.day,
                v.quarter,
                v.modifier,
            )
        )
    return found
