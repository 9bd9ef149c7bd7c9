"""Recognise numbers in transcript text, written ("$2.1M", "1,200") or spoken ("forty two").

Speech-to-text engines write numbers as words, all lowercase and without punctuation
("two point one million dollars", "january sixth twenty twenty five"), while human-edited
transcripts use digits. Downstream extractors should not care, so this module finds both
and can rewrite the spoken ones into digits while keeping a map back to the original text,
because evidence must always be quoted from what was actually said.

The scanner is deliberately conservative: "one of the", "no one", "a" on its own, "a second"
and vague amounts ("thirty something percent") are not numbers. An empty answer beats a wrong
one.

Everything here is pure Python and regular expressions (no spaCy), cheap enough to run on
every sentence of a long call.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Final, Literal

__all__ = [
    "NormalizedText",
    "NumberKind",
    "NumberMatch",
    "Replacement",
    "find_numbers",
    "normalize_numbers",
    "normalize_with_offsets",
    "words_to_number",
]

NumberKind = Literal["cardinal", "ordinal", "year", "fraction"]


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """One number found in a text.

    Attributes:
        start: Offset of the first character in the searched text.
        end: Offset one past the last character.
        value: The numeric value (an ordinal's position, a fraction's quotient).
        text: The surface form, ``text[start:end]`` of the searched text.
        kind: ``"cardinal"`` (42, 2.1 million), ``"ordinal"`` (third, 21st), ``"year"``
            (a spoken year such as "twenty twenty five") or ``"fraction"`` ("two thirds").
        spoken: True when at least part of it was said in words.
    """

    start: int
    end: int
    value: float
    text: str
    kind: NumberKind
    spoken: bool


@dataclass(frozen=True, slots=True)
class Replacement:
    """One number rewritten by :func:`normalize_with_offsets`.

    Attributes:
        start: Offset of the rewritten digits in the normalized text.
        end: Offset one past them in the normalized text.
        number: The number as found in the original text (original offsets).
    """

    start: int
    end: int
    number: NumberMatch


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A text with its numbers rewritten as digits, and the way back to the original.

    Attributes:
        text: The normalized text.
        original: The text it was made from.
        replacements: Every rewritten number, in order.
    """

    text: str
    original: str
    replacements: tuple[Replacement, ...]
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _ends: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _shift: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        shift = [0]
        for rep in self.replacements:
            grown = (rep.number.end - rep.number.start) - (rep.end - rep.start)
            shift.append(shift[-1] + grown)
        object.__setattr__(self, "_starts", tuple(r.start for r in self.replacements))
        object.__setattr__(self, "_ends", tuple(r.end for r in self.replacements))
        object.__setattr__(self, "_shift", tuple(shift))

    def _map(self, pos: int, *, is_end: bool) -> int:
        idx = bisect.bisect_right(self._starts, pos) - 1
        if idx < 0:
            return pos
        if pos >= self._ends[idx]:
            return pos + self._shift[idx + 1]
        if pos == self._starts[idx]:
            return pos + self._shift[idx]
        # Inside rewritten digits: widen to the whole spoken number, never cut a word.
        number = self.replacements[idx].number
        return number.end if is_end else number.start

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalized text to the original text.

        A span edge that falls inside a rewritten number widens to cover the whole number.

        Example:
            >>> norm = normalize_with_offsets("down forty two percent")
            >>> norm.text
            'down 42 percent'
            >>> start, end = norm.to_original(5, 15)
            >>> norm.original[start:end]
            'forty two percent'
        """
        return self._map(start, is_end=False), self._map(end, is_end=True)

    def number_at(self, start: int, end: int | None = None) -> NumberMatch | None:
        """Return the number rewritten at normalized offset ``start`` (ending at ``end``).

        Returns:
            The original :class:`NumberMatch`, or None when no replacement starts there (or
            it does not end at ``end`` when that is given).
        """
        idx = bisect.bisect_left(self._starts, start)
        if idx == len(self._starts) or self._starts[idx] != start:
            return None
        if end is not None and self._ends[idx] != end:
            return None
        return self.replacements[idx].number


# ---------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------

_UNITS: Final = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_TEENS: Final = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS: Final = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES: Final = {
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
}
_ORD_UNITS: Final = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
}
_ORD_TEENS: Final = {
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
}
_ORD_TENS: Final = {
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
}
_ORD_SCALES: Final = {"thousandth": 10**3, "millionth": 10**6, "billionth": 10**9}
# Written abbreviations glued to digits: "$450k", "$2.1M", "$3bn", "5MM" (finance shorthand).
_SUFFIX_SCALES: Final = {"k": 10**3, "m": 10**6, "mm": 10**6, "mn": 10**6, "b": 10**9, "bn": 10**9}
_ORD_SUFFIXES: Final = frozenset({"st", "nd", "rd", "th"})
# "two thirds", "one fifth": (denominator, is the plural form).
_FRACTIONS: Final = {
    "half": (2, False),
    "halves": (2, True),
    "third": (3, False),
    "thirds": (3, True),
    "fourth": (4, False),
    "fourths": (4, True),
    "fifth": (5, False),
    "fifths": (5, True),
    "sixth": (6, False),
    "sixths": (6, True),
    "seventh": (7, False),
    "sevenths": (7, True),
    "eighth": (8, False),
    "eighths": (8, True),
    "ninth": (9, False),
    "ninths": (9, True),
    "tenth": (10, False),
    "tenths": (10, True),
}
_MONTHS: Final = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
# "the one thing", "no one", "this one", "which one": pronoun uses of "one", not the number 1.
_ONE_PREV_BLOCK: Final = frozenset(
    {
        "no",
        "any",
        "every",
        "each",
        "some",
        "this",
        "that",
        "which",
        "the",
        "another",
        "last",
        "next",
        "other",
        "same",
        "big",
        "little",
        "new",
        "old",
        "good",
        "bad",
        "right",
        "wrong",
        "main",
        "real",
        "current",
        "previous",
        "particular",
        "latest",
        "first",
        "favorite",
        "favourite",
        "special",
        "tough",
        "hard",
        "easy",
        "great",
        "only",
    }
)
# "one of the", "one another", "one by one", "one on one".
_ONE_NEXT_BLOCK: Final = frozenset({"of", "another", "by", "on"})
# "thirty something percent", "twenty-odd", "fifty-ish": vague, so not a number at all.
_VAGUE_NEXT: Final = frozenset({"something", "odd", "ish", "some", "somethings"})
_SCALE_PARTS: Final = {"half": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}
_A_FOLLOWERS: Final = frozenset({"hundred", "dozen", *_SCALES})
# A spoken year is not a year when a unit follows: "twenty thirty users" is two counts.
_YEAR_BLOCKERS: Final = frozenset(
    {"percent", "per", "dollars", "dollar", "bucks", "euros", "times", "x", "point"}
)
_LEADING_POINT_FOLLOWERS: Final = frozenset({"percent", "per", "percentage", "x", "times"})
_NOT_PLURAL: Final = frozenset(
    {
        "is",
        "was",
        "has",
        "does",
        "goes",
        "this",
        "thus",
        "his",
        "hers",
        "its",
        "ours",
        "yours",
        "theirs",
        "us",
        "as",
        "yes",
        "plus",
        "minus",
        "versus",
        "whereas",
        "always",
        "perhaps",
        "sometimes",
        "besides",
        "unless",
        "across",
        "less",
        "towards",
        "afterwards",
        "nowadays",
        "says",
        "seems",
        "means",
        "makes",
        "takes",
        "gets",
        "comes",
        "looks",
        "needs",
        "wants",
        "helps",
        "works",
        "runs",
        "feels",
        "knows",
        "thinks",
        "sounds",
        "happens",
        "depends",
        "matters",
        "starts",
        "includes",
        "requires",
        "gives",
        "shows",
        "tells",
        "keeps",
        "lets",
        "puts",
        "uses",
    }
)
_IRREGULAR_PLURALS: Final = frozenset(
    {"people", "staff", "children", "men", "women", "personnel", "folks", "feet", "geese"}
)

_NUMBER_WORDS: Final = frozenset(
    {*_UNITS, *_TEENS, *_TENS, *_SCALES, *_ORD_UNITS, *_ORD_TEENS, *_ORD_TENS, *_ORD_SCALES}
    | {"hundred", "hundredth", "dozen"}
)
_NUMBER_START_WORDS: Final = frozenset(
    {*_UNITS, *_TEENS, *_TENS, *_ORD_UNITS, *_ORD_TEENS, *_ORD_TENS, "a"}
)
_DIGIT_WORDS: Final = frozenset({*_UNITS, "oh"})


_Trie = dict[str, "_Trie"]


def trie_pattern(words: frozenset[str]) -> str:
    """Return a regex matching exactly ``words``, factored by prefix ("t(?:en|hree|...)").

    Internal helper shared by the date extractor.

    Python's ``re`` tries the branches of a flat alternation one by one at every position;
    a prefix tree lets it reject most positions after one character, which matters for a
    pattern run on every sentence.
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


_PREFILTER_RE: Final = re.compile(r"\d|\b" + trie_pattern(_NUMBER_WORDS) + r"\b", re.IGNORECASE)

_TOKEN_RE: Final = re.compile(
    r"""
    (?P<skip>
        \d{4}-\d{1,2}-\d{1,2}\b                  # ISO dates are the date parser's business
      | \d+(?:[:/]\d+)+                          # 10:30, 3/17, 24/7, 3/4: times, dates, ratios
      | \(?\d{3}\)?[-.\s]?\d{3}[-.]\d{4}\b       # phone numbers (555) 010-0134, 555.010.0134
      | \d{3}-\d{4}\b                            # short phone numbers 555-0134
      | \d+(?:\.\d+){2,}                         # versions 1.2.3 and IP addresses
    )
  | (?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?P<suf>[A-Za-z]+)?
  | (?P<word>[A-Za-z]+(?:['’][A-Za-z]+)?)
    """,
    re.VERBOSE,
)
_YEAR_GAP_RE: Final = re.compile(r"\s*,\s*|\s+")

_WORD, _DIGITS, _BARRIER = 0, 1, 2


def might_contain_number(text: str) -> bool:
    """Cheap pre-check: False guarantees :func:`find_numbers` finds nothing in ``text``.

    Example:
        >>> might_contain_number("thanks everyone"), might_contain_number("forty-two")
        (False, True)
    """
    return _PREFILTER_RE.search(text) is not None


def looks_plural_noun(word: str) -> bool:
    """Return True for a word that looks like a simple plural noun ("users", "SKUs", "people").

    Internal helper shared by the date and quantity extractors.

    Example:
        >>> [looks_plural_noun(w) for w in ("stores", "this", "analysis", "people", "business")]
        [True, False, False, True, False]
    """
    low = word.lower()
    if low in _IRREGULAR_PLURALS:
        return True
    if len(low) < 3 or not low.isalpha() or low in _NOT_PLURAL:
        return False
    return low.endswith("s") and not low.endswith(("ss", "us", "is"))


# ---------------------------------------------------------------------------------------
# Scanner
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Hit:
    end: int  # token index one past the number
    value: Decimal
    kind: NumberKind


class _Tokens:
    """Word and digit tokens of one text, with what the parser needs to know about each."""

    __slots__ = ("dsuf", "dval", "ends", "low", "n", "nend", "starts", "text", "typ")

    def __init__(self, text: str) -> None:
        self.text = text
        # Parallel lists, one entry per token; digit details only for digit tokens. This
        # runs on every sentence, so the per-token work is kept to a few appends.
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.low: list[str] = []
        self.typ: list[int] = []
        self.dval: dict[int, Decimal] = {}
        self.dsuf: dict[int, str] = {}
        self.nend: dict[int, int] = {}  # where the number ends when a unit is glued on: "3x"
        starts, ends, low, typ = self.starts, self.ends, self.low, self.typ
        for m in _TOKEN_RE.finditer(text):
            start, end = m.span()
            group = m.lastgroup
            starts.append(start)
            ends.append(end)
            if group == "word":
                low.append(m.group().lower())
                typ.append(_WORD)
                continue
            low.append("")
            if group == "skip" or not self._digits_ok(m):
                typ.append(_BARRIER)
                continue
            index = len(typ)
            typ.append(_DIGITS)
            suffix = (m.group("suf") or "").lower()
            self.dval[index] = Decimal(m.group("num").replace(",", ""))
            self.dsuf[index] = suffix
            if suffix == "x":
                self.nend[index] = m.end("num")
        self.n = len(starts)
        self._mark_digit_runs()

    def _digits_ok(self, m: re.Match[str]) -> bool:
        """False for digits that are part of a code or unit: "Q2", "FY25", "10am", "1990s"."""
        text = self.text
        start, end = m.span()
        if start and (text[start - 1].isalnum() or text[start - 1] in "_."):
            return False
        after = text[end : end + 2]
        if len(after) == 2 and after[0] in ".,_" and after[1].isdigit():
            return False
        suffix = (m.group("suf") or "").lower()
        return not suffix or suffix == "x" or suffix in _SUFFIX_SCALES or suffix in _ORD_SUFFIXES

    def joined(self, j: int) -> bool:
        """True when token ``j`` follows the previous one across spaces or one hyphen only.

        Line breaks count as spaces (two-line captions split "two hundred" across lines);
        commas and full stops end a number ("two, three" is not twenty-three).
        """
        if j == 0:
            return False
        gap = self.text[self.ends[j - 1] : self.starts[j]]
        return gap == "-" or (gap != "" and gap.isspace())

    def number_end(self, j: int) -> int:
        return self.nend.get(j, self.ends[j])

    def _mark_digit_runs(self) -> None:
        # "five five five oh one three four": a phone number or an ID read digit by digit,
        # never an amount, so none of it becomes a number.
        i = 0
        while i < self.n:
            if self.low[i] not in _DIGIT_WORDS:
                i += 1
                continue
            j = i + 1
            while j < self.n and self.low[j] in _DIGIT_WORDS and self.joined(j):
                j += 1
            if j - i >= 3:
                for k in range(i, j):
                    self.typ[k] = _BARRIER
            i = j

    # -- small accessors ----------------------------------------------------------------

    def word(self, j: int) -> str:
        """The lowercase word at ``j`` when it joins the previous token, else ''."""
        if j < self.n and self.typ[j] == _WORD and self.joined(j):
            return self.low[j]
        return ""

    def prev_word(self, i: int) -> str:
        if i == 0 or self.typ[i - 1] != _WORD:
            return ""
        gap = self.text[self.ends[i - 1] : self.starts[i]]
        return self.low[i - 1] if gap.isspace() else ""

    def dated(self, j: int) -> bool:
        """True when "of <month>" or a year starts at token ``j`` ("second of March, 2024")."""
        if self.word(j) == "of" and self.word(j + 1) in _MONTHS:
            return True
        if j >= self.n:
            return False
        if self.typ[j] == _DIGITS:
            gap = self.text[self.ends[j - 1] : self.starts[j]]
            value = self.dval[j]
            return (
                not self.dsuf[j]
                and 1900 <= value <= 2099
                and value == value.to_integral_value()
                and _YEAR_GAP_RE.fullmatch(gap) is not None
            )
        return self.word(j) in ("nineteen", "twenty") and self._year(j) is not None

    # -- grammar ------------------------------------------------------------------------

    def parse_at(self, i: int, *, explicit: bool) -> _Hit | None:
        if self.typ[i] == _DIGITS:
            return self._digits(i)
        if self.typ[i] != _WORD:
            return None
        w = self.low[i]
        if w in ("nineteen", "twenty"):
            year = self._year(i)
            if year is not None:
                return year
        if w == "half":
            return self._half(i)
        if w == "point":
            return self._leading_point(i)
        if w in _NUMBER_START_WORDS:
            return self._words(i, explicit=explicit)
        return None

    def _digits(self, i: int) -> _Hit | None:
        value, suffix = self.dval[i], self.dsuf[i]
        if suffix in _ORD_SUFFIXES:
            if value != value.to_integral_value() or value == 0:
                return None
            return _Hit(i + 1, value, "ordinal")
        if suffix in _SUFFIX_SCALES:
            return _Hit(i + 1, value * _SUFFIX_SCALES[suffix], "cardinal")
        if not suffix and self.word(i + 1) in _SCALES:
            # "2.1 million", "30 thousand": how people write round amounts.
            return _Hit(i + 2, value * _SCALES[self.low[i + 1]], "cardinal")
        return _Hit(i + 1, value, "cardinal")

    def _sub100(
        self, j: int, *, allow_second: bool, ordinals: bool = True
    ) -> tuple[int, int, bool] | None:
        """Parse 0-99 starting at token ``j``: (value, next index, is ordinal)."""
        if j >= self.n or self.typ[j] != _WORD:
            return None
        w = self.low[j]
        if w in _TENS:
            value = _TENS[w]
            w2 = self.word(j + 1)
            if w2 in _UNITS and w2 != "zero":
                return value + _UNITS[w2], j + 2, False
            if (
                ordinals
                and w2 in _ORD_UNITS
                and (w2 != "second" or allow_second or self.dated(j + 2))
            ):
                return value + _ORD_UNITS[w2], j + 2, True
            return value, j + 1, False
        if w in _TEENS:
            return _TEENS[w], j + 1, False
        if w in _UNITS:
            return _UNITS[w], j + 1, False
        if not ordinals:
            return None
        if w in _ORD_TENS:
            return _ORD_TENS[w], j + 1, True
        if w in _ORD_TEENS:
            return _ORD_TEENS[w], j + 1, True
        if w in _ORD_UNITS and (w != "second" or allow_second or self.dated(j + 1)):
            return _ORD_UNITS[w], j + 1, True
        return None

    def _group(self, j: int, *, allow_a: bool, allow_second: bool) -> tuple[int, int, bool] | None:
        """Parse 0-9999 ("a hundred", "three hundred and ten", "fifteen hundred")."""
        if allow_a and j < self.n and self.low[j] == "a" and self.word(j + 1) in _A_FOLLOWERS:
            value, k, is_ord = 1, j + 1, False
        else:
            sub = self._sub100(j, allow_second=allow_second)
            if sub is None:
                return None
            value, k, is_ord = sub
        if is_ord:
            return value, k, True
        nxt = self.word(k)
        if nxt == "hundred":
            value *= 100
            k += 1
            kk = k + 1 if self.word(k) == "and" else k
            if self.word(kk):
                tail = self._sub100(kk, allow_second=allow_second)
                if tail is not None:
                    value += tail[0]
                    k, is_ord = tail[1], tail[2]
        elif nxt == "hundredth":
            value, k, is_ord = value * 100, k + 1, True
        return value, k, is_ord

    def _words(self, i: int, *, explicit: bool) -> _Hit | None:
        w = self.low[i]
        prev = self.prev_word(i)
        allow_second = explicit or prev == "the" or prev in _MONTHS

        scaled = self._scaled_fraction(i)
        if scaled is not None:
            return scaled
        # "two thirds", "one fifth": a fraction, not a count followed by an ordinal.
        if w in _UNITS and w != "zero" and self.word(i + 1) in _FRACTIONS:
            denom, plural = _FRACTIONS[self.low[i + 1]]
            count = _UNITS[w]
            if (count > 1) == plural:
                return _Hit(i + 2, Decimal(count) / Decimal(denom), "fraction")

        total = Decimal(0)
        end = i
        j = i
        last_scale: int | None = None
        kind: NumberKind = "cardinal"
        first = True
        while j < self.n:
            if not first and not self.joined(j):
                break
            group = self._group(j, allow_a=first, allow_second=allow_second)
            if group is None:
                break
            gvalue, gend, is_ord = group
            gv = Decimal(gvalue)
            if last_scale is not None and gv >= last_scale:
                break
            if is_ord:
                total += gv
                end = gend
                kind = "ordinal"
                break
            fractional = False
            if (
                first
                and self.word(gend) == "and"
                and self.word(gend + 1) == "a"
                and self.word(gend + 2) in ("half", "quarter")
            ):
                # "one and a half", "two and a half million"
                gv += Decimal("0.5") if self.low[gend + 2] == "half" else Decimal("0.25")
                gend += 3
                fractional = True
            nxt = self.word(gend)
            if nxt in _SCALES:
                scale = _SCALES[nxt]
                if last_scale is not None and scale >= last_scale:
                    break
                total += gv * scale
                end = j = gend + 1
                last_scale = scale
                first = False
                if fractional:
                    break
                if self.word(j) == "and" and self._group(
                    j + 1, allow_a=False, allow_second=allow_second
                ):
                    j += 1  # "two thousand and five"
                continue
            if nxt in _ORD_SCALES:
                total += gv * _ORD_SCALES[nxt]
                end = gend + 1
                kind = "ordinal"
                break
            if first and nxt == "dozen" and not fractional:
                total, end = gv * 12, gend + 1
                break
            total += gv
            end = gend
            break
        if end == i:
            return None

        # Decimals: "two point one (million)", "ninety five point four".
        if (
            kind == "cardinal"
            and last_scale is None
            and self.word(end) == "point"
            and not (end == i + 1 and w == "one" and prev == "at")  # "at one point", idiom
        ):
            digits, k = self._decimal_digits(end + 1)
            if digits:
                total += Decimal("0." + digits)
                end = k
                if self.word(end) in _SCALES:
                    total *= _SCALES[self.low[end]]
                    end += 1
            elif self.word(end + 1) in _VAGUE_NEXT:
                return None  # "ninety five point something"

        if self.word(end) in _VAGUE_NEXT:
            return None
        if not explicit and end == i + 1 and w == "one" and self._pronoun_one(i, prev):
            return None
        return _Hit(end, total, kind)

    def _scaled_fraction(self, i: int) -> _Hit | None:
        """ "a quarter of a million", "three quarters of a billion", "a half million".

        Without this, "a quarter of a million dollars" would read as "a million dollars".
        """
        w = self.low[i]
        count = 1 if w == "a" else _UNITS.get(w, 0)
        denom = _SCALE_PARTS.get(self.word(i + 1))
        if not count or denom is None:
            return None
        j = i + 2
        if self.word(j) == "of" and self.word(j + 1) in ("a", "an"):
            j += 2
        scale = _SCALES.get(self.word(j))
        if scale is None:
            return None
        return _Hit(j + 1, Decimal(count * scale) / denom, "cardinal")

    def _pronoun_one(self, i: int, prev: str) -> bool:
        if prev in _ONE_PREV_BLOCK:
            return True
        if (
            i > 0
            and self.typ[i - 1] == _WORD
            and self.text[self.ends[i - 1] : self.starts[i]] == "-"
            and self.low[i - 1] not in _NUMBER_WORDS
        ):
            return True  # the last "one" of "one-on-one", "no-one"
        if i + 1 < self.n and self.typ[i + 1] == _WORD and self.joined(i + 1):
            nxt = self.low[i + 1]
            if nxt in _ONE_NEXT_BLOCK or (nxt == "point" and prev == "at"):
                return True
            # "one-off", "one-on-one", "one-size-fits-all": compounds, not a count.
            gap = self.text[self.ends[i] : self.starts[i + 1]]
            if gap == "-" and nxt not in _NUMBER_WORDS:
                return True
        return False

    def _decimal_digits(self, j: int) -> tuple[str, int]:
        digits: list[str] = []
        while self.word(j) in _DIGIT_WORDS:
            digits.append(str(_UNITS.get(self.low[j], 0)))
            j += 1
        if not digits and (self.word(j) in _TENS or self.word(j) in _TEENS):
            # "one point twenty five million"
            sub = self._sub100(j, allow_second=False)
            if sub is not None and not sub[2]:
                return str(sub[0]), sub[1]
        return "".join(digits), j

    def _year(self, i: int) -> _Hit | None:
        """Spoken years: "twenty twenty five", "nineteen ninety nine", "twenty oh five"."""
        century = 1900 if self.low[i] == "nineteen" else 2000
        w2 = self.word(i + 1)
        if w2 == "oh":
            w3 = self.word(i + 2)
            if w3 not in _UNITS or w3 == "zero":
                return None
            value, end = century + _UNITS[w3], i + 3
        elif w2 in _TENS or w2 in _TEENS:
            # No ordinals here: a year never ends in one, and looking one up would recurse
            # through dated() on "twenty twenty second twenty twenty second ...".
            sub = self._sub100(i + 1, allow_second=False, ordinals=False)
            if sub is None or (sub[0] % 10 == 0 and self.word(sub[1]) in _ORD_UNITS):
                return None  # "twenty twenty first" runs into an ordinal: not a year
            value, end = century + sub[0], sub[1]
        else:
            return None
        nxt = self.word(end)
        if (
            nxt in _SCALES
            or nxt in _YEAR_BLOCKERS
            or nxt in ("hundred", "dozen")
            or nxt in _VAGUE_NEXT
            or looks_plural_noun(nxt)
        ):
            return None
        return _Hit(end, Decimal(value), "year")

    def _half(self, i: int) -> _Hit | None:
        # "half a million", "half a dozen"
        if self.word(i + 1) in ("a", "an"):
            scale_word = self.word(i + 2)
            if scale_word in _SCALES or scale_word in ("hundred", "dozen"):
                scale = _SCALES.get(scale_word) or (100 if scale_word == "hundred" else 12)
                return _Hit(i + 3, Decimal(scale) / 2, "cardinal")
        return None

    def _leading_point(self, i: int) -> _Hit | None:
        # ASR "point five percent". Bare "point" is usually the noun ("good point two
        # things"), so only accept it when a unit or scale makes the decimal certain.
        digits, k = self._decimal_digits(i + 1)
        if not digits:
            return None
        value = Decimal("0." + digits)
        nxt = self.word(k)
        if nxt in _SCALES:
            return _Hit(k + 1, value * _SCALES[nxt], "cardinal")
        if nxt in _LEADING_POINT_FOLLOWERS:
            return _Hit(k, value, "cardinal")
        return None


def _scan(text: str, *, explicit: bool) -> tuple[NumberMatch, ...]:
    if not might_contain_number(text):
        return ()
    toks = _Tokens(text)
    found: list[NumberMatch] = []
    i = 0
    while i < toks.n:
        hit = toks.parse_at(i, explicit=explicit) if toks.typ[i] != _BARRIER else None
        if hit is None:
            i += 1
            continue
        start, end = toks.starts[i], toks.number_end(hit.end - 1)
        spoken = any(toks.typ[k] == _WORD for k in range(i, hit.end))
        found.append(NumberMatch(start, end, float(hit.value), text[start:end], hit.kind, spoken))
        i = hit.end
    return tuple(found)


# Sentences repeat across calls (the date and quantity extractors both scan each one), so
# keep a small bounded cache; long texts are not worth holding on to.
_CACHE_MAX_CHARS: Final = 4096


@lru_cache(maxsize=512)
def _scan_cached(text: str) -> tuple[NumberMatch, ...]:
    return _scan(text, explicit=False)


def _numbers(text: str) -> tuple[NumberMatch, ...]:
    if len(text) > _CACHE_MAX_CHARS:
        return _scan(text, explicit=False)
    return _scan_cached(text)


# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------


def find_numbers(text: str) -> list[NumberMatch]:
    """Find every number in ``text``, spoken or written, with offsets into ``text``.

    Args:
        text: Any text: one cue, one sentence, one turn.

    Returns:
        The numbers in order of appearance. Ordinals, spoken years and fractions carry their
        own ``kind``; ambiguous words ("one of the", "a second", "no one") are left out.

    Example:
        >>> [(n.text, n.value, n.kind) for n in find_numbers("down forty-two percent, $2.1M")]
        [('forty-two', 42.0, 'cardinal'), ('2.1M', 2100000.0, 'cardinal')]
        >>> [(n.text, n.value, n.kind) for n in find_numbers("january sixth twenty twenty five")]
        [('sixth', 6.0, 'ordinal'), ('twenty twenty five', 2025.0, 'year')]
        >>> find_numbers("one of the reasons no one noticed")
        []
    """
    return list(_numbers(text))


def words_to_number(text: str) -> float | None:
    """Convert one number span (spoken or written) to its value.

    The whole span must be a single number; a leading currency sign is allowed. Context rules
    that protect running text ("a second", "the one") do not apply: the caller has already
    decided this span is a number.

    Args:
        text: The span, for example ``"two point one million"`` or ``"1.5k"``.

    Returns:
        The value, or None when the span is not exactly one number.

    Example:
        >>> words_to_number("six hundred and fifty thousand")
        650000.0
        >>> words_to_number("one and a half")
        1.5
        >>> words_to_number("twenty twenty five")
        2025.0
        >>> words_to_number("$2.1M")
        2100000.0
        >>> words_to_number("a") is None, words_to_number("no one") is None
        (True, True)
    """
    stripped = text.strip().lstrip("$€£").strip()
    if not stripped:
        return None
    found = _scan(stripped, explicit=True)
    if len(found) != 1:
        return None
    only = found[0]
    if only.start != 0 or only.end != len(stripped):
        return None
    return only.value


def _render(number: NumberMatch) -> str:
    value = number.value
    plain = str(int(value)) if value.is_integer() else f"{value:.6f}".rstrip("0").rstrip(".")
    if number.kind != "ordinal":
        return plain
    n = int(value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{plain}{suffix}"


def _normalize(text: str, ordinals: bool, canonical: bool) -> NormalizedText:
    parts: list[str] = []
    reps: list[Replacement] = []
    pos = 0
    size = 0
    for number in _numbers(text):
        if number.kind == "fraction":
            continue  # "two thirds" has no short digit form worth forcing on readers
        if number.kind == "ordinal" and not ordinals:
            continue
        if not number.spoken and not canonical:
            continue
        digits = _render(number)
        parts.append(text[pos : number.start])
        size += number.start - pos
        reps.append(Replacement(size, size + len(digits), number))
        parts.append(digits)
        size += len(digits)
        pos = number.end
    parts.append(text[pos:])
    return NormalizedText("".join(parts), text, tuple(reps))


_normalize_cached = lru_cache(maxsize=512)(_normalize)


def normalize_with_offsets(
    text: str, *, ordinals: bool = False, canonical: bool = False
) -> NormalizedText:
    """Rewrite numbers as digits and keep the map back to the original offsets.

    Args:
        text: The text to normalize.
        ordinals: Also rewrite ordinals ("twenty first" -> "21st"). Off by default so prose
            such as "first of all" stays as said.
        canonical: Also rewrite written numbers to plain digits ("1,200" -> "1200",
            "$2.1M" -> "$2100000"), so a later regex needs only ``\\d+(?:\\.\\d+)?``.

    Returns:
        The normalized text with its replacements; use
        :meth:`NormalizedText.to_original` to quote evidence from the original.

    Example:
        >>> norm = normalize_with_offsets("about $1.7 million", canonical=True)
        >>> norm.text
        'about $1700000'
        >>> norm.to_original(6, 14)
        (6, 18)
    """
    if len(text) > _CACHE_MAX_CHARS:
        return _normalize(text, ordinals, canonical)
    return _normalize_cached(text, ordinals, canonical)


def normalize_numbers(text: str, *, ordinals: bool = False) -> str:
    """Rewrite spoken numbers in running text as digits, leaving everything else alone.

    Args:
        text: The text, typically an ASR sentence without punctuation.
        ordinals: Also rewrite spoken ordinals ("april twenty eighth" -> "april 28th").

    Returns:
        The text with spoken numbers replaced by digits.

    Example:
        >>> normalize_numbers("markdowns were down eighteen percent")
        'markdowns were down 18 percent'
        >>> normalize_numbers("we saved two point one million dollars")
        'we saved 2100000 dollars'
        >>> normalize_numbers("went live april twenty eighth", ordinals=True)
        'went live april 28th'
    """
    return normalize_with_offsets(text, ordinals=ordinals).text
