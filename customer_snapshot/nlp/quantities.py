"""Find measured quantities in transcript text: percentages, money, durations, counts, ratios.

Results sections of a snapshot are built from these ("markdowns down 18%", "$2.1M less
inventory", "planning went from two days to three hours"). Spoken numbers are rewritten as
digits by :mod:`customer_snapshot.nlp.numbers` first, so one set of patterns serves both
"forty two percent" and "42%", and every quantity carries offsets into the original text so
evidence quotes what was said.

Each number is classified by what follows it (or, for money, a currency sign before it):

* percent: "42%", "forty two percent", "18 per cent", "3 percentage points", "50 bps"
* money: "$2.1M", "$450k", "2.1 million dollars", "€30,000", "30k euros", "a hundred grand"
* duration: "three weeks", "90 days", "2.5 hours", "half an hour", "a day and a half"
* multiplier: "3x", "three times faster", "tenfold", "doubled", "halved"
* count: a number before a plural noun, "1,200 users", "three hundred drivers",
  "84 store managers" (the head noun is the unit)
* number: any other cardinal, except those inside a date

Vague amounts ("thirty something percent") produce nothing, and frequencies ("three times
a week") are not multipliers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from customer_snapshot.nlp.dates import find_dates
from customer_snapshot.nlp.numbers import (
    NormalizedText,
    Replacement,
    looks_plural_noun,
    might_contain_number,
    normalize_with_offsets,
)

__all__ = ["Quantity", "QuantityKind", "find_quantities"]

QuantityKind = Literal["percent", "money", "duration", "count", "multiplier", "number"]


@dataclass(frozen=True, slots=True)
class Quantity:
    """One quantity found in a text.

    Attributes:
        start: Offset of the first character in the original text.
        end: Offset one past the last character.
        text: The surface form, ``text[start:end]`` of the original text.
        kind: ``"percent"``, ``"money"``, ``"duration"``, ``"count"``, ``"multiplier"`` or
            ``"number"``.
        value: The amount: 42.0 for 42%, 2100000.0 for $2.1M, 3.0 for three weeks.
        unit: ``"%"``, ``"pp"`` (percentage points) or ``"bps"``; a currency code ("USD");
            a plural time unit ("weeks"); the counted noun ("users"); ``"x"``; or ``""``.
        normalized: A display form: "42%", "$2,100,000", "3 weeks", "1,200 users", "3x".
    """

    start: int
    end: int
    text: str
    kind: QuantityKind
    value: float
    unit: str
    normalized: str


@dataclass(frozen=True, slots=True)
class _Cand:
    start: int  # normalized-text offsets
    end: int
    rank: int  # lower wins when two readings start together and are as long
    kind: QuantityKind
    value: float
    unit: str
    normalized: str


_CURRENCY_WORDS: Final = {
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "usd": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "gbp": "GBP",
    "pounds sterling": "GBP",
    "cad": "CAD",
    "aud": "AUD",
}
_CURRENCY_ADJECTIVES: Final = {"canadian": "CAD", "australian": "AUD", "singapore": "SGD"}
_CURRENCY_SIGNS: Final = {"$": "USD", "€": "EUR", "£": "GBP", "usd": "USD", "eur": "EUR"}
_CURRENCY_SYMBOLS: Final = {"USD": "$", "EUR": "€", "GBP": "£"}
_DURATION_UNITS: Final = {
    "second": "seconds",
    "minute": "minutes",
    "min": "minutes",
    "hour": "hours",
    "hr": "hours",
    "day": "days",
    "week": "weeks",
    "wk": "weeks",
    "month": "months",
    "year": "years",
    "yr": "years",
    "quarter": "quarters",
}
_MULTIPLIER_VERBS: Final = {"doubled": 2.0, "tripled": 3.0, "quadrupled": 4.0, "halved": 0.5}
_FOLD_WORDS: Final = {
    "twofold": 2.0,
    "threefold": 3.0,
    "fourfold": 4.0,
    "fivefold": 5.0,
    "sixfold": 6.0,
    "sevenfold": 7.0,
    "eightfold": 8.0,
    "ninefold": 9.0,
    "tenfold": 10.0,
    "hundredfold": 100.0,
}
# "three times faster / more / the volume / as many": a ratio. "three times a week": a rate.
_TIMES_FOLLOWERS: Final = frozenset(
    {"more", "less", "fewer", "as", "the", "that", "what", "over", "higher", "lower"}
)
_TIMES_COMPARATIVES: Final = frozenset({"more", "less", "fewer", "higher", "lower"})
_NOT_COMPARATIVE: Final = frozenset(
    {"after", "ever", "never", "other", "per", "under", "together", "whether", "either"}
    | {"neither", "rather", "later", "earlier", "order", "number", "customer", "user"}
)
_COUNT_STOP: Final = frozenset(
    {
        "the",
        "a",
        "an",
        "of",
        "and",
        "or",
        "but",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "per",
        "than",
        "that",
        "this",
        "these",
        "those",
        "it",
        "we",
        "you",
        "they",
        "he",
        "she",
        "i",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "out",
        "so",
        "um",
        "uh",
        "like",
        "just",
        "about",
        "over",
        "into",
        "up",
        "down",
        "if",
        "when",
        "which",
        "who",
        "what",
        "had",
        "have",
        "has",
        "do",
        "did",
        "not",
        "no",
        "all",
        "our",
        "your",
        "their",
        "my",
        "its",
        "then",
        "now",
        "also",
        "too",
        "very",
        "really",
        "percent",
        "times",
        "ones",
    }
)

_FLAGS: Final = re.IGNORECASE
# ASR keeps fillers between a number and its unit: "forty two um percent".
_FILLERS: Final = r"(?:[\s,]+(?:um+|uh+|er|erm|uhm)\b)*"
_TAIL_RE: Final = re.compile(
    _FILLERS
    + r"""(?:
        \s*(?P<pct>%\s*points?\b|percentage\s+points?\b|%|percent\b|per\s+cent\b|pct\b
                  |basis\s+points?\b|bps\b)
      | [\s-]+(?:(?P<cadj>canadian|australian|singapore)\s+)?
               (?P<cur>dollars?|bucks|euros?|usd|eur|gbp|cad|aud|pounds\s+sterling)\b
      | \s+(?P<grand>grand)\b
      | [\s-]?(?P<mul>x)\b(?!\s*\d)
      | -?(?P<fold>fold)\b
      | \s+(?P<times>times)\s+(?P<tword>[a-z]+)\b
      | (?:\s+|-)(?:(?:full|whole|straight|more|extra|additional|business|working|calendar
                      |consecutive|solid|long)\s+)?
               (?P<dur>seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?
                      |years?|yrs?|quarters?(?!\s+of\b))\b
    )""",
    _FLAGS | re.VERBOSE,
)
_CURRENCY_BEFORE_RE: Final = re.compile(r"(?:(?P<sign>[$€£])|\b(?P<code>usd|eur)\s?)\s?$", _FLAGS)
_WORD_AFTER_RE: Final = re.compile(r"\s+([A-Za-z][A-Za-z'-]*)")
_HALF_DURATION_RE: Final = re.compile(
    r"\bhalf\s+an?\s+(?P<u>hour|day|week|month|year|minute)\b", _FLAGS
)
_AND_A_HALF_RE: Final = re.compile(
    r"\b(?:an?|1)\s+(?P<u>hour|day|week|month|year|minute)\s+and\s+a\s+half\b", _FLAGS
)
_HALF_PERCENT_RE: Final = re.compile(
    r"\bhalf\s+(?:a\s+)?(?P<u>percent|per\s+cent|percentage\s+point)\b", _FLAGS
)
_MULTIPLIER_WORD_RE: Final = re.compile(
    r"\b(?P<w>doubled|tripled|quadrupled|halved|(?:two|three|four|five|six|seven|eight|nine"
    r"|ten|hundred)fold)\b",
    _FLAGS,
)
_CUT_IN_HALF_RE: Final = re.compile(
    r"\b(?:cut|reduced|dropped|fell|slashed)\s+(?:[a-z']+\s+){0,2}?(?:in|by)\s+half\b", _FLAGS
)
# Quantities said without a number ("halved", "half an hour", "tenfold"): substrings that
# decide whether the phrase patterns need to run at all.
_PHRASE_HINTS: Final = ("half", "halved", "doubled", "tripled", "quadrupled", "fold")


def _fmt(value: float, *, decimals: int = 4) -> str:
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.{decimals}f}".rstrip("0").rstrip(".")


def _money(value: float, currency: str) -> str:
    amount = f"{int(value):,}" if value.is_integer() else f"{value:,.2f}"
    symbol = _CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{amount}" if symbol else f"{currency} {amount}"


def _duration(value: float, unit: str) -> str:
    return f"{_fmt(value)} {unit[:-1] if value == 1 else unit}"


def _is_count_noun(word: str) -> bool:
    if word.lower() in _COUNT_STOP or word.lower().rstrip("s") in _DURATION_UNITS:
        return False
    if word[0].isupper() and not word[:-1].isupper():
        return False  # "3 Dallas stores": a name, not the counted thing
    return looks_plural_noun(word) or (word[:-1].isupper() and word.endswith("s"))


def _is_modifier(word: str) -> bool:
    low = word.lower()
    return (
        low not in _COUNT_STOP
        and low.isalpha()
        and len(low) >= 2
        and not word[0].isupper()
        and not looks_plural_noun(word)
    )


def _grand_is_money(tail: re.Match[str], s: str) -> bool:
    """ "a hundred grand" is money; "three grand rapids lines" (ASR lowercases names) is not."""
    if tail.group("grand") != "grand":
        return False  # "Grand" capitalised starts a name in edited transcripts
    nxt = _WORD_AFTER_RE.match(s, tail.end())
    return nxt is None or nxt.group(1).lower() in _COUNT_STOP


def _classify(rep: Replacement, norm: NormalizedText, out: list[_Cand]) -> None:
    """Add the quantity anchored on one rewritten number, if its neighbours say what it is."""
    s = norm.text
    start, end, value = rep.start, rep.end, rep.number.value

    before = _CURRENCY_BEFORE_RE.search(s, max(0, start - 5), start)
    tail = _TAIL_RE.match(s, end)
    if before is not None:
        currency = _CURRENCY_SIGNS[(before.group("sign") or before.group("code")).lower()]
        stop = end
        if tail is not None and tail.group("cur"):
            stop = tail.end()  # "$5 million dollars" said both ways
        elif tail is not None and tail.group("grand") and _grand_is_money(tail, s):
            value, stop = value * 1000, tail.end()
        out.append(
            _Cand(before.start(), stop, 0, "money", value, currency, _money(value, currency))
        )
        return
    if tail is None:
        _classify_count(rep, norm, out)
        return
    stop = tail.end()
    if tail.group("pct"):
        unit_word = re.sub(r"\s+", " ", tail.group("pct").lower())
        if unit_word.startswith(("basis", "bps")):
            out.append(_Cand(start, stop, 1, "percent", value, "bps", f"{_fmt(value)} bps"))
        elif "point" in unit_word:
            out.append(_Cand(start, stop, 1, "percent", value, "pp", f"{_fmt(value)} pp"))
        else:
            out.append(_Cand(start, stop, 1, "percent", value, "%", f"{_fmt(value)}%"))
    elif tail.group("cur"):
        adjective = (tail.group("cadj") or "").lower()
        currency = (
            _CURRENCY_ADJECTIVES.get(adjective)
            or _CURRENCY_WORDS[re.sub(r"\s+", " ", tail.group("cur").lower())]
        )
        out.append(_Cand(start, stop, 0, "money", value, currency, _money(value, currency)))
    elif tail.group("grand"):
        if not _grand_is_money(tail, s):
            _classify_count(rep, norm, out)
            return
        amount = value * 1000  # "a hundred grand": slang for thousands of dollars
        out.append(_Cand(start, stop, 0, "money", amount, "USD", _money(amount, "USD")))
    elif tail.group("mul") or tail.group("fold"):
        out.append(_Cand(start, stop, 3, "multiplier", value, "x", f"{_fmt(value)}x"))
    elif tail.group("times"):
        word = tail.group("tword").lower()
        comparative = word.endswith("er") and len(word) > 4 and word not in _NOT_COMPARATIVE
        if word in _TIMES_FOLLOWERS or comparative:
            if not (comparative or word in _TIMES_COMPARATIVES):
                # "ten times the volume": the ratio is "ten times"; keep the object out.
                stop = tail.start("tword")
                while stop > 0 and s[stop - 1].isspace():
                    stop -= 1
            out.append(_Cand(start, stop, 3, "multiplier", value, "x", f"{_fmt(value)}x"))
        else:
            _classify_count(rep, norm, out)
    else:
        raw = tail.group("dur").lower().rstrip("s")
        unit = _DURATION_UNITS[raw]
        out.append(_Cand(start, stop, 2, "duration", value, unit, _duration(value, unit)))


def _words_after(s: str, pos: int, limit: int = 3) -> list[tuple[str, int]]:
    """Up to ``limit`` words straight after ``pos``, no punctuation between: (word, end)."""
    words: list[tuple[str, int]] = []
    while len(words) < limit:
        m = _WORD_AFTER_RE.match(s, pos)
        if m is None:
            break
        words.append((m.group(1), m.end()))
        pos = m.end()
    return words


def _classify_count(rep: Replacement, norm: NormalizedText, out: list[_Cand]) -> None:
    s = norm.text
    number = rep.number
    value = number.value
    words = _words_after(s, rep.end)
    if (
        words
        and value.is_integer()
        and value != 1  # "in one place managers": "one" never counts a plural noun
        and not (number.text.isdigit() and len(number.text) == 4 and 1900 <= value <= 2099)
    ):
        # A plural head noun, possibly after one modifier ("three production lines") and
        # possibly a compound of plurals ("five regional claims offices").
        first = 1 if len(words) > 1 and _is_modifier(words[0][0]) else 0
        if not _is_count_noun(words[first][0]):
            first = 0
        last = first
        if _is_count_noun(words[first][0]):
            while last + 1 < len(words) and _is_count_noun(words[last + 1][0]):
                last += 1
            noun, stop = words[last]
            unit = noun if noun[:-1].isupper() else noun.lower()
            phrase = " ".join(w for w, _ in words[: last + 1])
            out.append(_Cand(rep.start, stop, 4, "count", value, unit, f"{_fmt(value)} {phrase}"))
            return
    # A four-digit number written without a comma may be a year outside a date ("our 2024
    # volumes"): show it as written rather than as "2,024".
    year_like = number.text.isdigit() and len(number.text) == 4 and 1900 <= value <= 2099
    shown = number.text if year_like else _fmt(value)
    out.append(_Cand(rep.start, rep.end, 5, "number", value, "", shown))


def _find_phrases(s: str, out: list[_Cand]) -> None:
    """Quantities said without a number: "half an hour", "doubled", "cut in half"."""
    for m in _HALF_DURATION_RE.finditer(s):
        unit = _DURATION_UNITS[m.group("u").lower()]
        out.append(_Cand(m.start(), m.end(), 2, "duration", 0.5, unit, _duration(0.5, unit)))
    for m in _AND_A_HALF_RE.finditer(s):
        unit = _DURATION_UNITS[m.group("u").lower()]
        out.append(_Cand(m.start(), m.end(), 2, "duration", 1.5, unit, _duration(1.5, unit)))
    for m in _HALF_PERCENT_RE.finditer(s):
        point = "point" in m.group("u").lower()
        unit, shown = ("pp", "0.5 pp") if point else ("%", "0.5%")
        out.append(_Cand(m.start(), m.end(), 1, "percent", 0.5, unit, shown))
    for m in _MULTIPLIER_WORD_RE.finditer(s):
        word = m.group("w").lower()
        factor = _MULTIPLIER_VERBS.get(word) or _FOLD_WORDS[word]
        out.append(_Cand(m.start(), m.end(), 3, "multiplier", factor, "x", f"{_fmt(factor)}x"))
    for m in _CUT_IN_HALF_RE.finditer(s):
        out.append(_Cand(m.start(), m.end(), 3, "multiplier", 0.5, "x", "0.5x"))


def find_quantities(text: str, *, include_numbers: bool = True) -> list[Quantity]:
    """Find percentages, money, durations, counts, multipliers and other numbers in ``text``.

    Args:
        text: A sentence, cue or turn; ASR text without punctuation is fine.
        include_numbers: Also return bare numbers (kind ``"number"``) that fit no other
            kind; numbers inside dates are never returned.

    Returns:
        Non-overlapping quantities in order, with offsets into ``text``.

    Example:
        >>> [(q.kind, q.normalized) for q in find_quantities(
        ...     "inventory is down two point one million dollars and markdowns 18%")]
        [('money', '$2,100,000'), ('percent', '18%')]
        >>> [(q.text, q.kind, q.value, q.unit) for q in find_quantities(
        ...     "planning went from two full days to 3 hours for 1,200 users")]
        [('two full days', 'duration', 2.0, 'days'), ('3 hours', 'duration', 3.0, 'hours'),
         ('1,200 users', 'count', 1200.0, 'users')]
        >>> [(q.text, q.normalized) for q in find_quantities("a 3x lift, then it doubled")]
        [('3x', '3x'), ('doubled', '2x')]
    """
    low = text.lower()
    phrases = any(hint in low for hint in _PHRASE_HINTS)
    if not phrases and not might_contain_number(text):
        return []
    norm = normalize_with_offsets(text, ordinals=True, canonical=True)
    cands: list[_Cand] = []
    for rep in norm.replacements:
        if rep.number.kind == "cardinal":
            _classify(rep, norm, cands)
    if phrases:
        _find_phrases(norm.text, cands)

    cands.sort(key=lambda c: (c.start, c.start - c.end, c.rank))
    dates: list[tuple[int, int]] | None = None  # looked up only when a bare number needs it
    found: list[Quantity] = []
    last_end = -1
    for cand in cands:
        if cand.start < last_end:
            continue
        start, end = norm.to_original(cand.start, cand.end)
        if cand.kind == "number":
            if not include_numbers:
                continue
            if dates is None:
                dates = [(d.start, d.end) for d in find_dates(text, reference_year=None)]
            if any(ds < end and start < de for ds, de in dates):
                continue
        last_end = cand.end
        found.append(
            Quantity(
                start,
                end,
                text[start:end],
                cand.kind,
                cand.value,
                cand.unit,
                cand.normalized,
            )
        )
    return found
