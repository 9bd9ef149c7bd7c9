"""Candidate facts from a call, found one sentence at a time, in bounded memory.

The snapshot builder needs more than entities and counts: who introduced themselves and as
what, which question got which answer, who promised what by when, what hurt before, what has
measurably improved, what is only planned, which sentences make a good quote, and every date
and quantity with its context. :class:`FactExtractor` reads :class:`Sentence` objects in call
order (``feed``) and keeps, per kind, only the ``max_per_kind`` most confident candidates plus
O(1) context between sentences (the pending question, the answer being collected, the last
turn's speaker, a bounded set of first names, a bounded counter of years). ``finish`` resolves
dates said without a year against the year the call is about and returns :class:`Facts`.

Kinds (``Candidate.kind``): ``introduction``, ``qa``, ``contact``, ``commitment``,
``problem``, ``outcome``, ``testimonial``, ``future_plan``, ``date``, ``quantity``.

Every rule is about how people speak on customer calls, never about a particular company,
person or product, and the rules lean towards silence: an empty field beats an invented one.
Speech-to-text output (lower case, no punctuation, "um", "the the", numbers as words) is
handled by matching on a tidied view of each sentence, while evidence always quotes the
sentence as said.

Cost: a handful of regular-expression searches per sentence; the number, date and quantity
finders only run when a cheap pre-check says the sentence could hold a number or a date.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import heapq
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from customer_snapshot.nlp.dates import DateMatch, find_dates
from customer_snapshot.nlp.numbers import trie_pattern
from customer_snapshot.nlp.quantities import Quantity, find_quantities
from customer_snapshot.nlp.types import Candidate, Evidence, Sentence, Token

__all__ = ["FACT_KINDS", "FactExtractor", "Facts"]

FACT_KINDS: Final = (
    "introduction",
    "qa",
    "contact",
    "commitment",
    "problem",
    "outcome",
    "testimonial",
    "future_plan",
    "date",
    "quantity",
)

_VALUE_LIMIT: Final = 300  # characters a reader sees for one candidate
_MAX_NAMES: Final = 64  # first names remembered (for ASR text, where case cannot tell)
_MAX_YEARS: Final = 256  # distinct years counted (1900-2100 fits)
_YEAR_WEIGHT: Final = {"day": 3, "month": 2, "quarter": 2, "year": 1}
_ENGAGEMENT_EVENTS: Final = frozenset(
    {"kickoff", "start", "go-live", "pilot", "completion", "rollout", "UAT", "milestone"}
)


# ---------------------------------------------------------------------------------------
# Public results
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Facts:
    """What :meth:`FactExtractor.finish` returns.

    Attributes:
        candidates: kind -> candidates in call order (every kind in :data:`FACT_KINDS` is a
            key, possibly with an empty list).
        reference_year: the year the call is about: the explicit year said most often, a full
            date ("March 4th, 2025") weighing three times a bare year; ties go to the year
            said more often, then to the later year. None when no year was said.
        years_stated: explicit year -> how many times it was said.
    """

    candidates: dict[str, list[Candidate]]
    reference_year: int | None
    years_stated: dict[int, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------


def _words_re(words: Iterable[str]) -> re.Pattern[str]:
    """A regex matching any of ``words`` (or phrases) as whole words, built as a prefix tree.

    A flat alternation of a hundred phrases is tried branch by branch at every position; the
    tree rejects most positions after one character, which matters on every sentence.
    """
    return re.compile(r"(?<![\w'])(?:" + trie_pattern(frozenset(words)) + r")(?![\w'])")


def _lower(text: str) -> str:
    """Lower-case ``text`` keeping offsets (a few Unicode letters grow when lowered)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(ch.lower()[0] for ch in text)
    return low.replace("\u2019", "'")


def _span(text: str, start: int, end: int, limit: int = _VALUE_LIMIT) -> tuple[int, int]:
    """Where to cut ``text`` for a reader: all of it when short, else a window on the hit.

    ASR sentences can run for hundreds of words (no punctuation to split on), so a long
    sentence is cut to ``limit`` characters around ``[start, end)``, on word boundaries and,
    where one is near, on a clause boundary.

    Example:
        >>> text = "so " * 200 + "we cut scrap by half" + " and" * 100
        >>> left, right = _span(text, 600, 620)
        >>> right - left <= 300, "we cut scrap by half" in text[left:right]
        (True, True)
    """
    left, right = 0, len(text)
    if len(text.strip()) > limit:
        start = max(0, min(start, len(text)))
        end = max(start, min(end, len(text)))
        if end - start >= limit:
            left, right = start, start + limit
        else:
            spare = limit - (end - start)
            left = max(0, start - spare // 3)
            right = min(len(text), left + limit)
            left = max(0, right - limit)
        # Prefer to open on a clause: the last sentence-ish break in the left margin.
        margin = text[left:start]
        cut = max(margin.rfind(". "), margin.rfind("? "), margin.rfind("; "), margin.rfind(", "))
        if cut >= 0:
            left += cut + 2
        elif left > 0 and not text[left - 1].isspace():
            space = text.find(" ", left, start)
            left = space + 1 if space >= 0 else left
        if right < len(text) and not text[right].isspace():
            space = text.rfind(" ", end, right)
            right = space if space >= 0 else right
    while left < right and text[left] in " ,;\t\n":
        left += 1
    while right > left and text[right - 1] in " ,;\t\n":
        right -= 1
    return left, right


def _snippet(text: str, start: int, end: int, limit: int = _VALUE_LIMIT) -> str:
    """The exact substring of ``text`` a reader sees (see :func:`_span`)."""
    left, right = _span(text, start, end, limit)
    return text[left:right]


def _quote(s: Sentence, start: int, end: int) -> tuple[str, Evidence, int]:
    """(value, evidence, offset of the evidence text in the sentence) for a hit.

    A long ASR run-on is quoted by its window, not whole: the evidence then carries the same
    words the reader sees, and memory stays small.
    """
    left, right = _span(s.text, start, end)
    value = s.text[left:right]
    if len(s.text.strip()) <= _VALUE_LIMIT:
        return value, s.evidence, 0
    return value, Evidence(s.start, s.end, s.speaker, value), left


def _title_case(words: str) -> str:
    """Capitalise ASR words for display ("o'brien-smith" -> "O'Brien-Smith")."""
    out = []
    for word in words.split():
        parts = re.split(r"([-'])", word)
        out.append("".join(p[:1].upper() + p[1:] if p not in "-'" else p for p in parts))
    return " ".join(out)


_SMALL_WORDS: Final = frozenset("of and for the on in at to a an & with".split())
_ACRONYMS: Final = frozenset(
    "vp svp evp avp ceo cfo cto coo cio ciso cmo cro cdo cpo it hr qa pm ops bi ai ml uat "
    "emr ehr erp crm sre rn md".split()
)


def _display_title(words: str) -> str:
    """Capitalise a lower-case job title ("vp of data and analytics" -> "VP of Data and ...")."""
    out = []
    for k, word in enumerate(words.split()):
        if word in _ACRONYMS:
            out.append(word.upper())
        elif k and word in _SMALL_WORDS:
            out.append(word)
        else:
            out.append(_title_case(word))
    return " ".join(out)


# ---------------------------------------------------------------------------------------
# A tidied view of a sentence: lower case, fillers and stutters dropped, token map kept
# ---------------------------------------------------------------------------------------

# Speech-to-text keeps every hesitation; they split phrases that rules must see whole
# ("i'll um send", "kofi uh kofi mensah"). "like" and "you know" carry meaning too often
# to drop.
_FILLERS: Final = frozenset("um umm uh uhh uhm er erm ah hmm mm mhm".split())
_DIGIT_WORDS: Final = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}


@dataclass(slots=True)
class _View:
    """``text`` is the tidied sentence; ``starts[k]`` is where ``toks[k]`` begins in it."""

    text: str
    starts: list[int]
    toks: list[Token]

    def token_at(self, pos: int) -> int:
        """Index of the kept token starting at or after ``pos`` (len when none)."""
        return bisect.bisect_left(self.starts, pos)

    def token_before(self, pos: int) -> int:
        """Index of the last kept token starting before ``pos`` (-1 when none)."""
        return bisect.bisect_left(self.starts, pos) - 1


def _make_view(tokens: list[Token]) -> _View:
    # First pass: drop fillers and stutters ("the the", "let me share let me share").
    kept: list[Token] = []
    gap: list[bool] = []  # something was dropped just before this token
    dropped = False
    for tok in tokens:
        low = tok.lower.replace("\u2019", "'")
        if not low.strip():
            continue
        if low in _FILLERS:
            dropped = True
            continue
        if dropped and low == "," and kept:
            continue  # "so um, the" -> "so the"
        # ASR keeps false starts; digits repeat for real ("five five five").
        if kept and low == kept[-1].lower and low.isalpha() and low not in _DIGIT_WORDS:
            # Keep the second copy: the tagger reads it in context ("kofi kofi mensah").
            kept[-1] = tok
            dropped = True
            continue
        kept.append(tok)
        gap.append(dropped)
        dropped = False
        if (
            len(kept) >= 4
            and kept[-1].lower == kept[-3].lower
            and kept[-2].lower == kept[-4].lower
            and kept[-1].lower not in _DIGIT_WORDS
            and kept[-2].lower not in _DIGIT_WORDS
            and kept[-1].lower.strip("'")[:1].isalpha()
        ):
            # "it's it's", "let me let me": a repeated pair; keep the first.
            del kept[-2:]
            del gap[-2:]
            dropped = True
    # Second pass: the text, with single spaces where the words were apart or cut.
    parts: list[str] = []
    starts: list[int] = []
    size = 0
    prev_end = -1
    for tok, cut in zip(kept, gap, strict=True):
        low = tok.lower.replace("\u2019", "'")
        if parts and (tok.idx != prev_end or cut):
            parts.append(" ")
            size += 1
        starts.append(size)
        parts.append(low)
        size += len(low)
        prev_end = tok.idx + len(tok.text)
    return _View("".join(parts), starts, kept)


# ---------------------------------------------------------------------------------------
# Names, titles and organisations
# ---------------------------------------------------------------------------------------

_TITLE_HEADS: Final = frozenset(
    """director directors manager managers vp svp evp avp president head lead leads engineer
    engineers analyst analysts architect architects consultant consultants scientist
    scientists officer officers ceo cfo cto coo cio ciso cmo cro cdo cpo founder cofounder
    co-founder owner owners administrator admin coordinator coordinators specialist
    specialists supervisor supervisors superintendent principal partner controller
    comptroller accountant buyer buyers planner planners nurse physician dean provost chair
    chairman chairwoman registrar professor counselor strategist designer developer
    developers executive representative rep advisor adviser champion sponsor liaison
    dispatcher technician foreman treasurer attorney counsel recruiter trainer chief pm
    pharmacist therapist leader commissioner auditor underwriter adjuster secretary
    steward""".split()
)
_UNIT_NOUNS: Final = frozenset(
    """team teams group department dept function org organization organisation office
    division unit program programme practice operations ops side shop plant floor desk lab
    clinic region stores warehouse warehouses fleet staff crew center centre business
    platform analytics engineering finance marketing sales procurement it hr logistics
    dispatch merchandising planning pharmacy nursing billing claims underwriting maintenance
    quality production facilities transportation security compliance data reporting
    infrastructure support service services relationship account accounts portfolio
    projects project rollout implementation integration pipelines series events""".split()
)
# Words that follow "i'm", "it's", "this is" or stand next to a name in speech but are not
# names: ASR text has no capitals, so a name has to survive this list (and stop words).
_NOT_NAMES: Final = frozenset(
    """good great fine happy glad sorry sure excited thrilled ready here there back new late
    early busy free done okay ok alright right well cool awesome nice fair true correct
    exactly totally definitely really actually basically honestly literally probably pretty
    super kind sort like just still also gonna wanna gotta trying going looking working
    thinking hoping wondering curious interested responsible calling joining speaking based
    part one team guy guys person people folks everyone everybody anyone someone all both
    today now yesterday tomorrow morning afternoon evening hi hey hello thanks thank welcome
    yes yeah yep no nope not that this what who hard easy tough big huge interesting
    important possible impossible worth about over gone off on in out up down away almost
    another much many more less most very so too quite pleased proud aware able unable
    afraid sad upset tired crazy fun funny weird strange perfect certain confident positive
    optimistic worried concerned nervous impressed surprised amazed convinced data sales
    product project customer customers client clients vendor side company group call meeting
    question point thing things stuff lot bit little few couple number time year week day
    month quarter phase plan goal problem issue sound screen slide deck story answer
    recording mute muted live online remote onsite local old first last next same other own
    only whole real main key top full half double single each every any some such
    definitely absolutely currently usually always never sometimes often quick fast slow
    hoodies stuff dashboard dashboards report reports system systems tool tools platform
    pilot go gotcha cheers bye correct yup sir maam ma'am folks lol huh wow oops yo
    the our your their my his her its a an dot underscore dash""".split()
)
_NAME_POS_OK: Final = frozenset({"PROPN", "NOUN", "ADJ", "ADV", "X", "INTJ", "VERB"})
_NAME_ENT_OK: Final = frozenset({"", "PERSON"})
_BAD_NAME_TAGS: Final = frozenset({"VBG", "VBD", "VBN", "VBZ", "MD"})


def _nameish(
    tok: Token,
    asr: bool,
    known: dict[str, None] | None = None,
    *,
    loose: bool = False,
    lexicon: frozenset[str] = frozenset(),
) -> bool:
    """Could this token be part of a person's name?

    ``known`` holds first names already seen (speakers, introductions): the small English
    model often labels a lone first name as a place ("Femi" -> GPE), so a known name wins.
    """
    text = tok.text.replace("\u2019", "'")
    low = tok.lower.replace("\u2019", "'")
    if len(low) < 2 or not text.replace("-", "").replace("'", "").isalpha():
        return False
    if low in _NOT_NAMES or low in _TITLE_HEADS or low in _FILLERS or tok.is_stop:
        return False
    if known is not None and low in known and (asr or text[0].isupper()):
        return True
    if loose and not asr:
        # After a strong frame ("my name is", "I've got X with me") a capitalised proper noun
        # is a name even when the small model calls it a place or a company.
        return text[0].isupper() and tok.pos == "PROPN"
    if tok.ent_type not in _NAME_ENT_OK:
        return False
    if asr:
        if loose:
            return True  # after "my name is" the words are the name, whatever the tagger says
        if lexicon and low not in lexicon and low.isalpha():
            return True  # a word the model never learned ("corrigan"): a name, tagged anyhow
        # Capitals cannot help; the tagger guesses ADJ/ADV/NOUN for unknown lower-case
        # names, so only rule out what is clearly a function word or an inflected verb.
        if tok.pos not in _NAME_POS_OK:
            return False
        if tok.tag == "RB" and low.endswith("ly"):
            return False  # "really", "honestly" (the tagger calls unknown names RB too)
        return tok.tag not in _BAD_NAME_TAGS or tok.ent_type == "PERSON"
    if not text[0].isupper():
        return False
    return tok.ent_type == "PERSON" or tok.pos == "PROPN"


def _take_name(
    view: _View,
    k: int,
    asr: bool,
    *,
    max_tokens: int = 3,
    known: dict[str, None] | None = None,
    loose: bool = False,
    lexicon: frozenset[str] = frozenset(),
) -> tuple[str, int]:
    """Read a name starting at kept token ``k``: (display name, index after it) or ("", k)."""
    words: list[str] = []
    j = k
    toks = view.toks
    while (
        j < len(toks)
        and len(words) < max_tokens
        and _nameish(toks[j], asr, known, loose=loose, lexicon=lexicon)
    ):
        word = toks[j].text.replace("\u2019", "'")
        if not words or word.lower() != words[-1].lower():
            words.append(word)
        j += 1
    if not words:
        return "", k
    name = " ".join(words)
    return (_title_case(name.lower()) if asr else name), j


_TITLE_STOP: Final = frozenset(
    """at here from with for on in so but who which that since i we you he she they um uh
    and & , . ; : ? ! - today now there where when because like if""".split()
)
_DETERMINERS: Final = ("one of our ", "one of the ", "one of your ", "the ", "a ", "an ")
_POSSESSIVES: Final = ("our ", "your ", "their ", "my ")


def _singular(word: str) -> str:
    """A plural title head in the singular, case kept ("Engineers" -> "Engineer")."""
    low = word.lower()
    if low.endswith("s") and not low.endswith("ss") and low[:-1] in _TITLE_HEADS:
        return word[:-1]
    return word


def _take_title(view: _View, k: int, asr: bool) -> tuple[str, int]:
    """Read a job title starting at kept token ``k`` ("the director of planning").

    Returns (title as said or capitalised for ASR, index after it), or ("", k) when the words
    there are not a title: a title must contain a title head word ("director", "lead",
    "engineer", "VP", ...), optionally followed by "of ..." (up to five words).
    """
    toks = view.toks
    rest = view.text[view.starts[k] :] if k < len(toks) else ""
    j = k
    for det in (*_DETERMINERS, *_POSSESSIVES):
        if rest.startswith(det):
            j = view.token_at(view.starts[k] + len(det))
            break
    run: list[int] = []
    # The words up to "of"/a stop word: "senior data engineer", "director".
    while j < len(toks) and len(run) < 5:
        low = toks[j].lower
        if low in _TITLE_STOP or low in ("of", "'s") or not low[:1].isalpha() or toks[j].is_stop:
            break
        run.append(j)
        j += 1
    heads = [i for i in run if toks[i].lower in _TITLE_HEADS or toks[i].lower == "head"]
    if not heads:
        return "", k
    last = heads[-1]
    if toks[last].lower == "head" and not (last + 1 < len(toks) and toks[last + 1].lower == "of"):
        return "", k  # "head" is a title only as "head of ..."
    end = last + 1
    if end == run[-1] + 1 and end < len(toks) and toks[end].lower in ("of", "for"):
        m = end + 1
        if m < len(toks) and toks[m].lower == "the":
            m += 1
        words = 0
        while m < len(toks) and words < 5:
            low = toks[m].lower
            if low in ("and", "&"):
                nxt = toks[m + 1] if m + 1 < len(toks) else None
                if nxt is None or nxt.is_stop or nxt.lower in _TITLE_STOP:
                    break
            elif low in _TITLE_STOP or not low[:1].isalnum() or (toks[m].is_stop and low != "it"):
                break
            m += 1
            words += 1
        if words:
            end = m
    first = run[0]
    if end - first == 1 and toks[first].lower in ("lead", "leads", "owner", "owners", "rep"):
        return "", k  # too vague on its own ("the lead", "the owner")
    if end + 1 < len(toks) and toks[end].lower == "in" and toks[end + 1].lower == "crime":
        return "", k  # "my partner in crime"
    shown = [toks[i].lower if asr else toks[i].text for i in range(first, end)]
    shown[last - first] = _singular(shown[last - first])  # "one of our senior engineers"
    if asr:
        return _display_title(" ".join(shown)), end
    return " ".join(shown), end


_ORG_STOP: Final = frozenset(
    """and so but i we you he she they um uh for on in where which who because like , . ; :
    ? ! - side today now here there team too as well""".split()
)


def _take_org(view: _View, k: int, asr: bool) -> str:
    """Read an organisation name at kept token ``k`` (after "at", "from", "here at").

    Clean text: a run of capitalised words (an ORG entity helps); ASR: up to four content
    words, capitalised for display. "the finance team", "home" and the like are refused.
    """
    toks = view.toks
    if k >= len(toks):
        return ""
    first = toks[k]
    if first.lower in ("the", "our", "my", "your", "a", "this", "that", "home", "least", "all"):
        return ""
    words: list[str] = []
    j = k
    while j < len(toks) and len(words) < 5:
        tok = toks[j]
        low = tok.lower
        if asr:
            if low in _ORG_STOP or tok.is_stop or not low[:1].isalnum() or low in _TITLE_HEADS:
                break
            if low in _NOT_NAMES and not words:
                return ""
        else:
            joiner = low in ("of", "&", "and") and words and j + 1 < len(toks)
            if joiner and toks[j + 1].text[:1].isupper() and toks[j + 1].ent_type == "ORG":
                words.append(tok.text)
                j += 1
                continue
            if not tok.text[:1].isupper() or tok.ent_type in ("DATE", "TIME", "CARDINAL"):
                break
            if low in _TITLE_HEADS and tok.ent_type != "ORG":
                break
        words.append(tok.text)
        j += 1
    if not words or (asr and len(words) > 4):
        return ""
    org = " ".join(words)
    return _title_case(org) if asr else org


# ---------------------------------------------------------------------------------------
# Introductions
# ---------------------------------------------------------------------------------------

_INTRO_HINT_RE: Final = re.compile(
    r"\b(?:i'm|i am|i’m|my name|this is|it's|it’s|it is|here\b|with me|joining|joined|"
    r"i've got|i’ve got|i have|we've got|we’ve got|we have|introduce|welcome|meet|"
    r"i (?:run|lead|head|manage|oversee)|responsible for|in charge of|is our|'s our|’s our|"
    r"(?:she|he)(?:'s|’s| is| runs| leads| heads| manages| handles| oversees)|"
    r"is my|is the)",
    re.IGNORECASE,
)
_SELF_NAME_RE: Final = re.compile(r"\b(?:my name is|my name's|i'm|i am)\s")
_THIS_IS_RE: Final = re.compile(r"\b(?:this is|it's|it is)\s")
_OTHER_NAME_RE: Final = re.compile(
    r"\b(?:with me (?:today |here )?(?:is|are|i have|we have)|joining (?:me|us)(?: today)? "
    r"(?:is|are)|i(?:'ve| have) got|we(?:'ve| have) got|(?:i'm|i am|we're|we are) joined by|"
    r"i brought|(?:let me|i want to|i'd like to|i would like to) introduce|please welcome|"
    r"say hi to|on the (?:line|call) (?:we have|is)|we have)\s"
)
_AFTER_THIS_IS_OTHER_RE: Final = re.compile(
    r"^,?\s*(?:(?:she|he|they)(?:'s| is| runs| leads| heads| manages| handles| owns| works|"
    r" does| will| looks after| oversees)|who\b|our\b|my\b|your\b)"
)
_AFTER_SELF_RE: Final = re.compile(
    r"^,?\s*(?:from\b|here\b|at\b|with\b|speaking\b|calling\b|(?:and )?i(?:'m| am| run| lead|"
    r" head| manage| oversee| work| look after)\b|(?:the )?[a-z-]+ (?:director|manager|lead|"
    r"engineer|analyst|architect|consultant|scientist|officer)\b)"
)
# "Ingrid Solberg, I'm the VP of ...": a name opening the sentence, then "I'm".
_NAME_THEN_IM_RE: Final = re.compile(
    r"^(?:(?:and|so|sure|yeah|yes|okay|ok|hi|hello|hey|well|that's me|that is me)[,.!]?\s)*"
)
# "hey everyone this is kofi mensah" ending the sentence: a greeting makes it a self-intro.
_GREETING_RE: Final = re.compile(
    r"^\W*(?:(?:so|and|okay|ok|yeah|well)\W+)*(?:hi|hey|hello|good morning|good afternoon|morning|"
    r"afternoon|welcome)\b"
)
_PRONOUN_DESCRIBES_RE: Final = re.compile(
    r"^(?:and |so )?(?:she|he)(?:'s| is| runs| leads| heads| manages| handles| looks after| "
    r"oversees| owns)\b"
)
_AND_ME_RE: Final = re.compile(r"\b(?:and )?me,\s")
_HERE_RE: Final = re.compile(
    r"^(?:(?:hi|hey|hello|good morning|good afternoon|morning|afternoon|all|everyone|"
    r"everybody|folks|team|guys|yeah|so|and|okay|ok|yes)[,.!]?\s+)*"
)
_RESPONSIBLE_RE: Final = re.compile(
    r"\b(?P<who>i|she|he)\s(?:(?:basically|actually|also|currently|now|kind of|sort of)\s)*"
    r"(?P<verb>run|runs|lead|leads|head|heads|manage|manages|oversee|oversees|look after|"
    r"looks after|(?:am|'m|is|'s) responsible for|(?:am|'m|is|'s) in charge of)\s"
    r"(?P<obj>(?:[a-z&'-]+\s?){1,7})"
)
_NAME_IS_OUR_RE: Final = re.compile(r"\s(?:is|'s) (?P<det>our|my|the|your) ")
_PRONOUN_OUR_TITLE_RE: Final = re.compile(r"\b(?:she|he)(?:'s| is) (?P<det>our|my|the|your) ")


# Title heads only a person has (an organisation can be a "partner" or "provider").
_PERSONAL_HEADS: Final = frozenset(
    """director manager vp svp evp president head engineer analyst architect scientist officer
    ceo cfo cto coo cio ciso cmo founder cofounder co-founder administrator coordinator
    specialist supervisor superintendent controller accountant nurse physician dean
    technician foreman treasurer attorney recruiter trainer pharmacist therapist""".split()
)
_ORG_WORDS: Final = frozenset(
    """inc llc ltd corp corporation company co group systems software labs technologies
    partners health foods bank solutions services analytics""".split()
)
# "<name>, (the|our|their) <words> <title head>": a person named with a title.
_APPOSITIVE_HINT_RE: Final = re.compile(
    r"\w, (?:the |our |their |your |a |an )?(?:[a-z&-]+ ){0,3}(?:"
    + "|".join(sorted(_TITLE_HEADS, key=len, reverse=True))
    + r")\b"
)


def _opens_with_own_name(low: str, speaker: str | None) -> bool:
    """The sentence may open with its speaker's own name and a comma ("dana reyes, vp ...")."""
    if not speaker or "," not in low[:60]:
        return False
    first = speaker.split(maxsplit=1)[0].casefold()
    return first in re.findall(r"[^\W\d_]+", low.split(",", 1)[0])


@dataclass(slots=True)
class _Intro:
    name: str
    who: str
    title: str = ""
    organization: str = ""
    responsibility: str = ""
    at: int = 0  # character offset in the original sentence
    ent: bool = False
    in_passing: bool = False  # "Gerald Pike, our CFO, put it at 3.1x": named, not introduced


class _IntroFinder:
    """Self-introductions and introductions of others in one sentence."""

    def __init__(self, known_names: dict[str, None], lexicon: frozenset[str] = frozenset()) -> None:
        self.known = known_names
        self.lexicon = lexicon  # the model's own words: anything else may be a name (ASR)
        # ASR splits "this is wen | she runs our store team" into two sentences: the name
        # waits here (turn, name) for the next sentence of the same turn.
        self.dangling: tuple[int, str] = (-1, "")

    def find(self, s: Sentence, view: _View, asr: bool) -> list[_Intro]:
        """The people introduced in ``s`` (at most one "self", merged)."""
        found: list[_Intro] = []
        turn, name = self.dangling
        self.dangling = (-1, "")
        if turn == s.turn and _PRONOUN_DESCRIBES_RE.match(view.text):
            intro = _Intro(name, "other", at=view.toks[0].idx if view.toks else 0)
            self._describe_after_other(view, 0, asr, intro)
            found.append(intro)
        self._name_first(view, asr, found)
        self._own_name_title(s, view, asr, found)
        self._self_frames(view, asr, found)
        self._this_is(s, view, asr, found)
        self._here(view, asr, found)
        self._others(view, asr, found)
        self._name_is_our(view, asr, found)
        self._responsible(view, asr, found)
        self._appositive(s, view, asr, found)
        return _merge_intros(found) if found else []

    # -- frames ----------------------------------------------------------------------

    def _name_first(self, view: _View, asr: bool, out: list[_Intro]) -> None:
        """ "Ingrid Solberg, I'm the VP ..." and "... and me, Yusuf Demir, your CSM"."""
        m = _NAME_THEN_IM_RE.match(view.text)
        k = view.token_at(m.end()) if m else 0
        name, j = _take_name(view, k, asr, max_tokens=3, known=self.known, lexicon=self.lexicon)
        rest = view.text[view.starts[j] :] if name and j < len(view.toks) else ""
        if (
            name
            and re.match(r",?\s?(?:i'm|i am|i run|i lead|i head|i manage|i look after)\b", rest)
            and (asr or self._ent(view, k) or name.split()[0].lower() in self.known)
        ):
            intro = _Intro(name, "self", at=view.toks[k].idx, ent=self._ent(view, k))
            self._after_name(view, j, asr, intro)
            out.append(intro)
            self._remember(name)
        for m2 in _AND_ME_RE.finditer(view.text):
            k = view.token_at(m2.end())
            name, j = _take_name(view, k, asr, max_tokens=3, known=self.known, lexicon=self.lexicon)
            if name:
                intro = _Intro(name, "self", at=view.toks[k].idx, ent=self._ent(view, k))
                self._after_name(view, j, asr, intro)
                out.append(intro)
                self._remember(name)

    def _own_name_title(self, s: Sentence, view: _View, asr: bool, out: list[_Intro]) -> None:
        """A speaker opening with their own name and a title, no verb: "Dana Reyes, VP of
        Operations at Quill Foods." (the round-the-table introduction)."""
        if not s.speaker or any(i.who == "self" for i in out):
            return
        m = _NAME_THEN_IM_RE.match(view.text)
        k = view.token_at(m.end()) if m else 0
        # The words of the speaker's own name, however the model tagged them.
        own = s.speaker.casefold().split()
        j = k
        while j < len(view.toks) and j - k < len(own) and view.toks[j].lower == own[j - k]:
            j += 1
        if j == k or j >= len(view.toks) or view.toks[j].lower != ",":
            return
        name = s.speaker if j - k == len(own) else " ".join(t.text for t in view.toks[k:j])
        title, j2 = _take_title(view, j + 1, asr)
        if not title:
            return
        intro = _Intro(name, "self", title=title, at=view.toks[k].idx, ent=self._ent(view, k))
        self._org_after(view, j2, asr, intro)
        out.append(intro)
        self._remember(name)

    def _after_name(self, view: _View, j: int, asr: bool, intro: _Intro) -> None:
        """Fill title/organisation from the words after a name (", Director of X at Y")."""
        toks = view.toks
        if j < len(toks) and toks[j].lower == ",":
            j += 1
        rest = view.text[view.starts[j] :] if j < len(toks) else ""
        m = re.match(r"(?:and )?(?:i'm|i am|i work as|as)\s", rest)
        if m:
            j = view.token_at(view.starts[j] + m.end())
        title, j2 = _take_title(view, j, asr)
        if title:
            intro.title = intro.title or title
            j = j2
        self._org_after(view, j, asr, intro)

    def _org_after(self, view: _View, j: int, asr: bool, intro: _Intro) -> None:
        toks = view.toks
        for step in range(4):
            if j + step >= len(toks):
                return
            low = toks[j + step].lower
            if low in ("at", "from", "with"):
                org = _take_org(view, j + step + 1, asr)
                if org:
                    intro.organization = intro.organization or org
                return
            if low not in ("here", "over", "on", "the", ","):
                return

    def _self_frames(self, view: _View, asr: bool, out: list[_Intro]) -> None:
        for m in _SELF_NAME_RE.finditer(view.text):
            k = view.token_at(m.end())
            is_my_name = m.group().startswith("my")
            name, j = _take_name(
                view,
                k,
                asr,
                known=self.known,
                lexicon=self.lexicon,
                loose=is_my_name,
                max_tokens=2 if is_my_name else 3,
            )
            if name and not is_my_name and asr and not self._self_cue(view, j):
                name = ""  # "i'm kofi mensah i'm the ..." yes; "i'm totally lost" no
            if name:
                intro = _Intro(name, "self", at=view.toks[k].idx, ent=self._ent(view, k))
                self._after_name(view, j, asr, intro)
                out.append(intro)
                self._remember(name)
                continue
            if is_my_name:
                continue
            title, j = _take_title(view, k, asr)
            if title:
                intro = _Intro("", "self", title=title, at=view.toks[k].idx)
                self._org_after(view, j, asr, intro)
                out.append(intro)

    def _self_cue(self, view: _View, j: int) -> bool:
        rest = view.text[view.starts[j] :] if j < len(view.toks) else ""
        return bool(_AFTER_SELF_RE.match(rest))

    def _appositive(self, s: Sentence, view: _View, asr: bool, out: list[_Intro]) -> None:
        """A person named with a title anywhere in the sentence: "my main partner was Rosa
        Delgado, Director of Facilities at Hollis & Vine"; "Curtis Yoon, their energy analyst"."""
        toks = view.toks
        seen = {i.name.casefold() for i in out}

        def capitalised(i: int) -> bool:
            t = toks[i]
            return t.text.istitle() and t.text.isalpha() and not t.is_stop

        for k in range(len(toks)):
            person = self._ent(view, k)
            if not (person or capitalised(k)) or (
                k and (self._ent(view, k - 1) or capitalised(k - 1))
            ):
                continue
            j = k
            while j < len(toks) and j - k < 3 and (self._ent(view, j) or capitalised(j)):
                person = person or self._ent(view, j)
                j += 1
            if j >= len(toks) or toks[j].lower != "," or (j - k < 2 and not person):
                continue
            name = " ".join(t.text for t in toks[k:j])
            title, j2 = _take_title(view, j + 1, asr)
            if not title or name.casefold() in seen:
                continue
            if not person and not set(title.casefold().split()) & _PERSONAL_HEADS:
                continue  # "Northwind Analytics, our partner": an organisation, not a person
            if not person and toks[j - 1].lower in _ORG_WORDS:
                continue
            own = (s.speaker or "").casefold()
            who = "self" if own and name.casefold() == own else "other"
            intro = _Intro(name, who, title=title, at=toks[k].idx, ent=person, in_passing=True)
            self._org_after(view, j2, asr, intro)
            out.append(intro)
            seen.add(name.casefold())
            self._remember(name)

    def _ent(self, view: _View, k: int) -> bool:
        return k < len(view.toks) and view.toks[k].ent_type == "PERSON"

    def _this_is(self, s: Sentence, view: _View, asr: bool, out: list[_Intro]) -> None:
        for m in _THIS_IS_RE.finditer(view.text):
            k = view.token_at(m.end())
            name, j = _take_name(view, k, asr, known=self.known, lexicon=self.lexicon)
            if not name:
                continue
            rest = view.text[view.starts[j] :] if j < len(view.toks) else ""
            if _AFTER_THIS_IS_OTHER_RE.match(rest):
                intro = _Intro(name, "other", at=view.toks[k].idx, ent=self._ent(view, k))
                self._describe_other(view, j, asr, intro)
            elif (
                _AFTER_SELF_RE.match(rest)
                or (s.index_in_turn == 0 and m.start() < 25 and self._ent(view, k))
                or (not rest.strip(" .!,") and _GREETING_RE.match(view.text) and m.start() < 40)
            ):
                intro = _Intro(name, "self", at=view.toks[k].idx, ent=self._ent(view, k))
                self._after_name(view, j, asr, intro)
            else:
                if not rest.strip(" .!,"):
                    self.dangling = (s.turn, name)
                continue
            out.append(intro)
            self._remember(name)

    def _describe_other(self, view: _View, j: int, asr: bool, intro: _Intro) -> None:
        """After "this is Wen," read "she's our ops lead" / ", your account director"."""
        self._describe_after_other(view, j, asr, intro)

    def _here(self, view: _View, asr: bool, out: list[_Intro]) -> None:
        m = _HERE_RE.match(view.text)
        k = view.token_at(m.end()) if m else 0
        name, j = _take_name(view, k, asr, max_tokens=2, known=self.known, lexicon=self.lexicon)
        if not name or j >= len(view.toks) or view.toks[j].lower != "here":
            return
        intro = _Intro(name, "self", at=view.toks[k].idx, ent=self._ent(view, k))
        self._org_after(view, j + 1, asr, intro)
        out.append(intro)
        self._remember(name)

    def _others(self, view: _View, asr: bool, out: list[_Intro]) -> None:
        for m in _OTHER_NAME_RE.finditer(view.text):
            org = ""
            fm = re.search(
                r"\bfrom ([\w&' -]+?),? we have\s$", view.text[max(0, m.start() - 50) : m.end()]
            )
            if fm:
                org = _take_org(view, view.token_at(m.end() - len(fm.group()) + 5), asr)
            k = view.token_at(m.end())
            while True:
                name, j = _take_name(view, k, asr, known=self.known, lexicon=self.lexicon)
                loose_name, j2 = _take_name(
                    view, k, asr, known=self.known, lexicon=self.lexicon, loose=True
                )
                cue_re = r",?\s*(?:with (?:me|us)|here|from|who|she|he|our|my|and|$)"
                if not name and loose_name and not asr:
                    after = view.text[view.starts[j2] :] if j2 < len(view.toks) else ""
                    if re.match(r",?\s*(?:with (?:me|us)|who|(?:she|he)(?:'s| is))\b", after):
                        name, j = loose_name, j2
                if not name:
                    break
                rest = view.text[view.starts[j] :] if j < len(view.toks) else ""
                strong = self._ent(view, k) or (not asr and view.toks[k].pos == "PROPN")
                strong = strong or name.split()[0].lower() in self.known
                cue = re.match(cue_re, rest)
                if (asr and not cue and not strong) or (not asr and not strong):
                    break
                intro = _Intro(name, "other", at=view.toks[k].idx, ent=self._ent(view, k))
                intro.organization = org
                j = self._describe_after_other(view, j, asr, intro)
                out.append(intro)
                self._remember(name)
                # "we have Amara and Femi", "Ingrid Solberg, Director of X, and Yusuf Demir":
                # keep reading names joined by "and".
                if j < len(view.toks) and view.toks[j].lower == ",":
                    j += 1
                if j + 1 < len(view.toks) and view.toks[j].lower == "and":
                    k = j + 1
                    continue
                break

    def _describe_after_other(self, view: _View, j: int, asr: bool, intro: _Intro) -> int:
        """Read ", our data analyst" / " with me, he's a senior engineer"; return the end."""
        toks = view.toks
        rest = view.text[view.starts[j] :] if j < len(toks) else ""
        m = re.match(r"(?:with (?:me|us)\s?)?,?\s*(?:(?:who|she|he)(?:'s| is)\s)?", rest)
        k = view.token_at(view.starts[j] + m.end()) if (m and j < len(toks)) else j
        title, k2 = _take_title(view, k, asr)
        if not title:
            return j
        intro.title = title
        self._org_after(view, k2, asr, intro)
        return k2

    def _name_is_our(self, view: _View, asr: bool, out: list[_Intro]) -> None:
        """ "Halvard is our data engineer"; ASR "she's our project manager rosa delgado"."""
        toks = view.toks
        known = self.known
        for m in _NAME_IS_OUR_RE.finditer(view.text):
            end = view.token_before(m.start() + 1)  # the word before "is"
            if end < 0 or not _nameish(toks[end], asr, known):
                continue
            first = end
            if first >= 1 and _nameish(toks[first - 1], asr, known):
                first -= 1  # a surname before it: "Beatriz Lima is our ..."
            name, j = _take_name(view, first, asr, known=known)
            if not name or j != end + 1:
                continue
            seen = name.split()[0].lower() in known
            unknown_word = bool(self.lexicon) and name.split()[0].lower() not in self.lexicon
            if asr and not seen and not unknown_word:
                # Lower-case "x is our y" is too common to trust unless x is a known first name
                # or a word the model does not know ("teodora's the director of estates").
                continue
            if not asr and not (seen or self._ent(view, first) or toks[first].pos == "PROPN"):
                continue
            title, after = _take_title(view, view.token_at(m.start("det")), asr)
            if not title:
                continue
            intro = _Intro(name, "other", title=title, at=toks[first].idx)
            intro.ent = self._ent(view, first)
            self._org_after(view, after, asr, intro)
            out.append(intro)
            self._remember(name)
        for m in _PRONOUN_OUR_TITLE_RE.finditer(view.text):
            title, j = _take_title(view, view.token_at(m.start("det")), asr)
            if not title or j >= len(toks):
                continue
            name, _ = _take_name(view, j, asr, max_tokens=2, known=known)
            if name:
                out.append(_Intro(name, "other", title=title, at=toks[j].idx))
                self._remember(name)

    def _responsible(self, view: _View, asr: bool, out: list[_Intro]) -> None:
        for m in _RESPONSIBLE_RE.finditer(view.text):
            words = m.group("obj").split()
            for stop, word in enumerate(words):
                if (
                    word in ("which", "that", "who", "so", "but", "because", "and")
                    and stop
                    and (
                        stop + 1 >= len(words) or words[stop + 1] in ("i", "we", "he", "she", "it")
                    )
                ):
                    words = words[:stop]
                    break
            cut = [i for i, w in enumerate(words) if w in _UNIT_NOUNS]
            if not cut:
                continue
            obj = " ".join(words[: cut[-1] + 1])
            if obj.split()[0] in ("a", "it", "that", "this", "into", "out", "through"):
                continue
            verb = m.group("verb")
            if m.group("who") == "i":
                k = view.token_at(m.start())
                out.append(_Intro("", "self", responsibility=f"{verb} {obj}", at=view.toks[k].idx))
            else:
                # "this is wen she runs our store team": attach to the other just named.
                for intro in reversed(out):
                    if intro.who == "other" and intro.name:
                        intro.responsibility = intro.responsibility or f"{verb} {obj}"
                        break

    def _remember(self, name: str) -> None:
        first = name.split(maxsplit=1)[0].lower()
        self.known.pop(first, None)
        self.known[first] = None
        while len(self.known) > _MAX_NAMES:
            self.known.pop(next(iter(self.known)))


def _merge_intros(found: list[_Intro]) -> list[_Intro]:
    """One self-introduction per sentence (the speaker), one per other person named."""
    selves = [i for i in found if i.who == "self"]
    merged: list[_Intro] = []
    if selves:
        base = next((i for i in selves if i.name), selves[0])
        for other in selves:
            base.title = base.title or other.title
            base.organization = base.organization or other.organization
            base.responsibility = base.responsibility or other.responsibility
            base.at = min(base.at, other.at)
        merged.append(base)
    seen = {i.name.lower() for i in merged if i.name}
    for intro in found:
        if intro.who == "other" and intro.name.lower() not in seen:
            seen.add(intro.name.lower())
            merged.append(intro)
    return merged


# ---------------------------------------------------------------------------------------
# Question -> answer
# ---------------------------------------------------------------------------------------

_FIELD_RULES: Final = (
    (
        "contact_information",
        re.compile(
            r"\be-?mail\b|\bphone\b|\bcell\b|\bnumber (?:to|for|where) (?:reach|contact|call)|"
            r"\breach you\b|\bcontact (?:info|information|details)\b|\b(?:best|main|primary|"
            r"point of) contact\b|\bbest way to (?:reach|contact|get (?:a )?hold)"
        ),
    ),
    (
        "company_name",
        re.compile(
            r"\bcompany name\b|\bname of (?:your|the) (?:company|organi[sz]ation|business|"
            r"firm|practice|district|school|hospital|clinic)|\b(?:what|which) company\b|"
            r"\bwho do you work for\b|\bwhere do you work\b|\bwhat(?:'s| is) your "
            r"(?:company|organi[sz]ation|business)(?:'s)? (?:called|name)"
        ),
    ),
    (
        "start_date",
        re.compile(
            r"\bstart date\b|\bkick ?-?off date\b|\bwhen did (?:the |this |your |our )?"
            r"(?:project|implementation|engagement|rollout|roll-out|deployment|work|it|you|we|"
            r"things) (?:start|begin|kick ?off|get (?:started|going))\b|\bwhen (?:did|do|will|"
            r"can) (?:we|you) (?:start|begin|kick ?off)\b|\bwhen (?:was|is) (?:the )?kick ?-?off"
        ),
    ),
    (
        "completion_date",
        re.compile(
            r"\b(?:completion|go-?live|go live|launch|end|finish) date\b|\bwhen did (?:the |this "
            r"|your |our )?(?:project|implementation|engagement|rollout|roll-out|deployment|it|"
            r"you|we) (?:go live|finish|complete|end|wrap up|launch)\b|\bwhen (?:did|will|do) "
            r"(?:we|you|it) go live\b|\bwhen (?:was|is) (?:the )?go-?live\b"
        ),
    ),
    (
        "industry",
        re.compile(
            r"\bindustry\b|\bsector\b|\bline of (?:business|work)\b|\bwhat (?:kind|type|sort) "
            r"of (?:business|company|organi[sz]ation)\b|\bwhat does (?:your|the) (?:company|"
            r"business|organi[sz]ation) do\b|\bvertical\b"
        ),
    ),
    (
        "location",
        re.compile(
            r"\blocation\b|\blocated\b|\bbased\b|\bheadquarter|\bhq\b|\bwhere are (?:you|y'all)"
            r"(?: guys| all| folks)? (?:out of|from|at)\b|\b(?:what|which) (?:city|state|"
            r"country|region)\b|\bwhere(?:'s| is) (?:your|the) (?:office|company|headquarters|"
            r"main office|plant|campus)"
        ),
    ),
    (
        "position",
        re.compile(
            r"\b(?:your|his|her|their) (?:role|title|position|job)\b|\bjob title\b|"
            r"\bwhat do you do (?:there|at|for|in)\b|\bposition\b"
        ),
    ),
    (
        "product",
        re.compile(
            r"\bwhich (?:of (?:our|the) )?(?:products?|modules?)\b|\bwhat (?:products?|modules?)"
            r" (?:are|did|do|have|were) you\b|\bwhat did you (?:buy|purchase|license)\b"
        ),
    ),
)
_BACKCHANNEL: Final = frozenset(
    """yeah yes yep yup sure okay ok right so well oh great good cool um uh hmm absolutely
    totally definitely of course question that's a that is fair mm-hmm mhm alright all
    course""".split()
)


def _question_field(question: str) -> str:
    low = _lower(question)
    for name, rule in _FIELD_RULES:
        if rule.search(low):
            return name
    return ""


_ASR_QUESTION_RE: Final = re.compile(
    r"^\W*(?:(?:so|and|okay|ok|um|uh|yeah|but|alright|right|well|oh|hmm|and then|just)\W+)*"
    r"(?:what|what's|where|where's|when|who|who's|which|why|how|how's|is|are|do|does|did|can|"
    r"could|would|will|should|have|has)\b"
)


def _asr_question(low: str) -> bool:
    """An unpunctuated sentence that opens like a question after fillers ("so um what ...")."""
    stripped = low.rstrip()
    if not stripped or stripped[-1] in ".!?":
        return False
    return _ASR_QUESTION_RE.match(low) is not None


def _is_backchannel(s: Sentence) -> bool:
    words = [t.lower for t in s.tokens if t.pos not in ("PUNCT", "SPACE")]
    return not words or (len(words) <= 4 and all(w in _BACKCHANNEL for w in words))


@dataclass(slots=True)
class _Question:
    text: str
    asker: str | None
    turn: int
    after: int = 0  # statements said after it in the same turn


@dataclass(slots=True)
class _Answer:
    question: _Question
    answerer: str | None
    turn: int
    topic: str  # the snapshot field the question asks for, or ""
    seq: int  # call-order position reserved when the answer started
    parts: list[Sentence] = field(default_factory=list)
    seen: int = 0


# ---------------------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------------------

_EMAIL_RE: Final = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
_SPOKEN_EMAIL_RE: Final = re.compile(
    r"(?<![\w'])(?P<local>[a-z0-9]+(?: (?:dot|underscore|dash|hyphen|period) [a-z0-9]+){0,3}) "
    r"(?:at|@) (?P<domain>[a-z0-9]+(?: [a-z0-9]+){0,2}?(?: dot [a-z0-9]+){0,2}) dot "
    r"(?P<tld>com|org|net|edu|gov|io|co|us|ca|uk|ai|biz|info|health|care)(?![\w'])"
)
_PHONE_RE: Final = re.compile(
    r"(?<![\d-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\d-])"
    r"|(?<![\d-])\d{3}-\d{4}(?![\d-])"
)
_CONTACT_HINT_RE: Final = re.compile(
    r"@|\bdot\b|\d{3}[\s.)-]+\d{3,4}|\b(?:phone|number|cell|mobile|call|text|reach|line|"
    r"extension|direct|dial|desk|email|e-mail)\b"
)
_PHONE_CONTEXT_RE: Final = re.compile(
    r"\b(?:phone|number|cell|mobile|call|text|reach|line|extension|direct|dial|desk)\b"
)
_EMAIL_CONTEXT_RE: Final = re.compile(r"\b(?:e-?mail|address|mail|reach|contact|write)\b")
_NOT_LOCAL: Final = frozenset(
    "me us him her them you it is was email address mail out reach contact here there that "
    "this them".split()
)
_FIRST_PERSON_RE: Final = re.compile(r"\b(?:my|me|i'm|i am|mine|mine's)\b")
_OWNER_NAMED_RE: Final = re.compile(
    r"\b(?:reach|call|text|email|e-mail|contact|ping|find)\s(?P<n>[a-z][\w'-]*(?: [a-z][\w'-]*)?)"
    r"\s(?:at|on|via)\b|\b(?P<p>[a-z][\w-]*)'s (?:email|e-mail|number|cell|phone|address|"
    r"direct line|mobile)"
)


def _spoken_phone(view: _View) -> list[tuple[str, int, int]]:
    """Digit words read out ("five five five oh one two three"): (digits, tok_from, tok_to)."""
    found: list[tuple[str, int, int]] = []
    toks = view.toks
    i = 0
    while i < len(toks):
        digits = ""
        j = i
        last_digit = i
        while j < len(toks):
            low = toks[j].lower
            if low in _DIGIT_WORDS:
                digits += _DIGIT_WORDS[low]
                last_digit = j
            elif low.isdigit() and len(low) <= 4:
                digits += low
                last_digit = j
            elif low in (",", "-", "dash", ".") and digits:
                pass
            else:
                break
            j += 1
        if len(digits) in (7, 10, 11) and (len(digits) != 11 or digits[0] == "1"):
            spoken = any(toks[x].lower in _DIGIT_WORDS for x in range(i, last_digit + 1))
            if spoken:
                found.append((digits, i, last_digit + 1))
        i = max(j, i + 1)
    return found


def _format_phone(digits: str) -> str:
    if len(digits) == 11:
        return f"+1-{digits[1:4]}-{digits[4:7]}-{digits[7:]}"
    if len(digits) == 10:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return f"{digits[:3]}-{digits[3:]}"


# ---------------------------------------------------------------------------------------
# Commitments (action items)
# ---------------------------------------------------------------------------------------

_COMMIT_HINT_RE: Final = re.compile(
    r"'ll\b|’ll\b|\bwill\b|\bshall\b|\bgoing to\b|\bgonna\b|\blet me\b|\blet's\b|\blet’s\b|"
    r"\b(?:can|could|would) you\b|\baction item|\bcan\b|^\W*\w+,? (?:to|please)\b",
    re.IGNORECASE,
)
_ADVERBS: Final = (
    r"(?:(?:also|just|definitely|then|quickly|personally|still|absolutely|happily|gladly|"
    r"probably|go ahead and|make sure (?:to|that (?:i|we))|be sure to|try to|try and|actually|"
    r"first|both|now|today|please|certainly|for sure)\s)*"
)
_MODAL_RE: Final = re.compile(
    r"(?P<modal>(?<=[a-z])'ll|\bwill|\bshall|\b(?:am|'m|are|'re|is|'s) (?:going to|gonna)|"
    r"\bcan)\s" + _ADVERBS + r"(?P<verb>[a-z][a-z-]*)"
)
_LET_ME_RE: Final = re.compile(r"\blet(?P<us> me|'s| us)\s" + _ADVERBS + r"(?P<verb>[a-z][a-z-]*)")
_REQUEST_RE: Final = re.compile(
    r"\b(?:can|could|would|will) you\s" + _ADVERBS + r"(?P<verb>[a-z][a-z-]*)"
)
_NOTE_RE: Final = re.compile(
    r"^(?:(?:and|so|ok|okay|also|then|next|first|second|third|fourth|fifth|last|finally)"
    r"[,.]?\s)*(?P<name>[a-z][\w'-]*(?: [a-z][\w'-]*)?),?\s(?:to|please)\s"
    + _ADVERBS
    + r"(?P<verb>[a-z][a-z-]*)"
)
_ACTION_ITEM_RE: Final = re.compile(
    r"\baction items? (?:for|on) (?P<who>me|us|you|[a-z][\w'-]*(?: [a-z][\w'-]*)?)\b[:,]?\s?"
    r"(?:is\s)?(?:to\s)?(?P<rest>.*)$"
)
_STRONG_VERBS: Final = frozenset(
    """send share email e-mail forward circulate draft write prepare put set setup schedule
    book arrange organize organise follow get provide deliver review update create build
    configure install deploy test pull export check confirm look investigate reach loop
    connect introduce invite add grant give open file submit sign approve finalize finalise
    complete finish fix resolve train document coordinate handle take sort ping call message
    text talk sync run start kick let find dig work own host move push escalate clean map
    validate refresh enable turn spin figure circle touch pass bring flag raise draft
    shoot drop walk lead do make block hold ship migrate load upload scope estimate price
    quote outline summarize summarise recap write-up log track capture""".split()
)
_WEAK_ONLY: Final = frozenset({"do", "make", "walk", "bring"})
# Verbs too light to make an action item on their own, even with a date ("all I can say
# about March 3rd", "we'll have a stand at the May expo").
_LIGHT_VERBS: Final = frozenset(
    "be have see say hear go talk know need want like love think look come keep wait get "
    "stay feel mean guess bet tell ask".split()
)
# "we'll" + these is meeting flow ("then we'll look at adoption", "we'll finish with ...").
_WE_WEAK: Final = frozenset(
    "look take put run start finish work talk move pass bring give have do make lead walk "
    "turn own go wrap cover jump dig spend circle".split()
)
_NOT_ACTION_RE: Final = re.compile(
    r"^(?:share|sharing) (?:my |the |your )?screen|^start (?:the |a )?recording|"
    r"^(?:start|begin|kick) (?:with|by|off with|us off|things off|it off)|^stop (?:sharing|"
    r"the recording)|^turn (?:it|this|things) over|^hand (?:it|this) (?:over|off|back)|"
    r"^pass (?:it|this) (?:over|to)|^take (?:a|the) (?:step back|moment|second)|^get "
    r"(?:started|going|into|to|through|there|better|worse|it\b(?! (?:to|over|done|back)))|"
    r"^look at (?:the|this|that) (?:slide|screen|chart)|^pull up|^bring up|^put (?:it|this) "
    r"(?:this|another) way|^give (?:you|it|us) (?:a|an|some) (?:example|sense|idea|overview|"
    r"quick|little|bit|minute|second)|^check (?:in|the time)|^run through|^walk (?:you |us |"
    r"everyone )?through|^make (?:this|it) (?:quick|short|brief)|^do (?:quick )?intros|"
    r"^do (?:a|the) (?:quick )?(?:intro|recap|round)|^let (?:you|him|her|them) (?:go|speak|"
    r"talk|answer|jump|take)|^talk (?:about|through)|^take (?:that|it) as|^do (?:that|it|this)"
    r"(?:$|[,.])|^make (?:sure (?:i|we) understand)|^lead (?:with|off)|^start (?:there|here)"
    r"|^let (?:me|us)(?! know)|^find out (?:soon|later)|^see\b|^say\b|^talk (?!to|with)|"
    r"^add (?:one|a|another|something) ?(?:more )?(?:thing|point|comment|note)?\b|^add to that|"
    r"^set the (?:scene|stage|context|table)|\b(?:another|one more|a few|few|a couple(?: of)?) "
    r"(?:more )?(?:minutes?|seconds?|moments?)\b|^give (?:you|everyone|us|them|folks) (?:the|a|"
    r"an|some|my|our) (?:\w+ )?(?:version|examples?|context|background|sense|idea|rundown|tour|"
    r"answer|take|couple of examples|preview|flavor|flavour)\b"
)
_CONDITIONAL_RE: Final = re.compile(
    r"\b(?:if|unless|whether|in case|suppose|supposing|imagine|assuming|once we know|what if)\b"
)
_HEDGE_RE: Final = re.compile(r"\b(?:probably|maybe|might|try to|try and|hopefully|possibly)\b")
_ACTION_END_RE: Final = re.compile(
    r"[.;!?]|,\s(?:and|but|so|then|because|which)\b|\s(?:and|but|so|then) (?:i|we|you|he|she|"
    r"they)(?:'ll| will| can|'re going| are going)?\b|\sand (?=[a-z]+(?:'ll| will)\b)"
)
_DUE_RE: Final = re.compile(
    r"\b(?:(?:by|before|on|until|no later than|for)\s(?:the\s)?)?(?:end of (?:the )?(?:day|"
    r"week|month|quarter|year|next week|next month)|eod|eow|cob|tomorrow|tonight|today|"
    r"(?:this|next) (?:week|month|afternoon|morning)|(?:this |next )?(?:monday|tuesday|"
    r"wednesday|thursday|friday))\b"
)
_SUBJECT_SKIP: Final = frozenset(
    """he she they it that this which there what who where when how these those one
    everyone everybody someone somebody nobody anyone anybody something nothing everything
    i we you let""".split()
)


# ---------------------------------------------------------------------------------------
# Problems, outcomes, testimonials, future plans
# ---------------------------------------------------------------------------------------

# Words that on their own say something hurts; phrases with their own weights follow.
_PROBLEM_WORDS: Final = frozenset(
    """problem problems challenge challenges pain painful struggle struggled struggling
    struggles bottleneck bottlenecks nightmare headache headaches frustrating frustrated
    frustration complained complaining complaints manual manually error-prone errors mistakes
    backlog outage outages downtime delays delayed lag siloed
    silos fragmented disconnected duplicate duplicates duplicated inconsistent inaccurate
    unreliable stale outdated workaround workarounds rekeying re-keying chaos messy
    firefighting scrambling wasted waste losing churn overtime rework stockouts stock-outs
    shortages tedious cumbersome clunky broken crashing crashed slow stuck brutal retyped
    retype re-typed clipboard clipboards fatigue""".split()
)
# Pain nouns that recur across industries (plant floors, clinics, stores, fleets, lenders):
# on their own they are only a hint, so they weigh less than the words above.
_PAIN_NOUNS: Final = frozenset(
    """scrap defects rejects denials no-shows absenteeism attrition turnover overstock shrink
    fraud chargebacks write-offs penalties fines demurrage backorders escalations
    expedites callbacks readmissions complaints""".split()
)
# Multi-word problem phrases (the dict above holds single words; weights set below).
_PROBLEM_PHRASES: Final = {
    "pain point": 0.4,
    "pain points": 0.4,
    "by hand": 0.35,
    "out of date": 0.3,
    "copy and paste": 0.35,
    "blind spot": 0.3,
    "no visibility": 0.4,
    "lack of visibility": 0.4,
    "didn't trust": 0.35,
    "don't trust": 0.35,
    "nobody trusted": 0.4,
    "couldn't trust": 0.35,
    "can't trust": 0.35,
    "couldn't see": 0.4,
    "can't see": 0.4,
    "hard to": 0.25,
    "difficult to": 0.25,
    "impossible to": 0.3,
    "lost deals": 0.35,
    "lost customers": 0.35,
    "biggest challenge": 0.45,
    "biggest issue": 0.45,
    "biggest problem": 0.45,
    "kept breaking": 0.35,
    "fell over": 0.25,
    "it takes": 0.2,
    "it took": 0.15,
    "takes us": 0.25,
    "took us": 0.2,
    "spending": 0.15,
    "spend": 0.1,
    "different systems": 0.35,
    "too long": 0.3,
    "too many": 0.25,
    "too much": 0.2,
    "audit finding": 0.4,
    "the problem": 0.3,
    "the issue": 0.25,
    "the challenge": 0.3,
    "no way to": 0.35,
    "no single": 0.3,
    "wrong": 0.2,
    "issue": 0.2,
    "issues": 0.2,
    "risk": 0.15,
    "expensive": 0.2,
    "costly": 0.25,
    "late": 0.15,
    "missed": 0.15,
    "failed": 0.2,
    "failures": 0.25,
    "complex": 0.1,
    "complicated": 0.2,
    "never": 0.1,
    "by eye": 0.3,
    "on paper": 0.3,
    "paper": 0.15,
    "nobody could": 0.3,
    "no one could": 0.3,
    "nobody knew": 0.3,
    "no one knew": 0.3,
    "cannot tell": 0.3,
    "can't tell": 0.3,
    "couldn't tell": 0.3,
    "didn't know": 0.2,
    "did not know": 0.25,
    "no idea": 0.25,
    "single point of failure": 0.4,
    "years old": 0.15,
    "one guy": 0.2,
    "spreadsheet": 0.25,
    "spreadsheets": 0.25,
    "before this": 0.15,
    "back then": 0.15,
    "in the old": 0.15,
    "re keying": 0.35,
    "one person": 0.15,
    # How the old way is described: the tools people made do with, and what went missing.
    "whiteboard": 0.2,
    "whiteboards": 0.2,
    "sticky notes": 0.3,
    "post-it": 0.3,
    "post-its": 0.3,
    "walkie-talkies": 0.2,
    "radios": 0.15,
    "fax": 0.25,
    "faxed": 0.25,
    "binder": 0.2,
    "binders": 0.2,
    "phone tag": 0.35,
    "email threads": 0.25,
    "we lost": 0.3,
    "got lost": 0.3,
    "fell through the cracks": 0.4,
    "if at all": 0.3,
    "nobody was sure": 0.3,
    "no one was sure": 0.3,
    "wasn't sure": 0.2,
    "used to": 0.2,
    # Systems at the end of their life, and work that eats the day.
    "ending support": 0.4,
    "end of life": 0.4,
    "end-of-life": 0.4,
    "out of support": 0.4,
    "unsupported": 0.35,
    "still on": 0.2,
    "excel file": 0.3,
    "excel files": 0.3,
    "paper notebooks": 0.3,
    "notebooks": 0.1,
    "data integrity": 0.3,
    "hours a day": 0.25,
    "hours a week": 0.2,
    "hours every": 0.2,
    # Things going wrong, said plainly.
    "hiccup": 0.3,
    "hiccups": 0.3,
    "mismatch": 0.3,
    "mismatched": 0.3,
    "couldn't read": 0.3,
    "couldn't handle": 0.3,
    "can't handle": 0.3,
    "run out of": 0.3,
    "ran out of": 0.3,
    "over-order": 0.3,
    "failure": 0.25,
    "angry": 0.25,
    "unhappy": 0.25,
    "reactive": 0.25,
    "nobody had time": 0.35,
    "no one had time": 0.35,
}
_PROBLEM_STRONG: Final = 0.35
_PROBLEM_LEX: Final = {
    **dict.fromkeys(_PAIN_NOUNS, 0.2),
    **dict.fromkeys(_PROBLEM_WORDS, _PROBLEM_STRONG),
    **_PROBLEM_PHRASES,
}
_PROBLEM_RE: Final = _words_re(_PROBLEM_LEX)
_NOT_PROBLEM_RE: Final = re.compile(
    r"\bno (?:problem|problems|issue|issues|worries|pain)\b|\bnot (?:a|an|really a) (?:problem|"
    r"issue)\b|\bwithout (?:any )?(?:issues|problems)\b|\b(?:solv|fix|resolv|address)(?:e|ed|es|"
    r"ing) (?:the|that|this|a|our|those|these|all)\b|\bno longer\b|\bthe problem is solved\b|"
    r"\bnot (?:slow|late|broken|manual)\b|\bany (?:problems|issues|questions)\b|\bheadset\b|"
    r"\b(?:audio|mic|microphone|connection|wifi|wi-fi) (?:issue|problem)s?\b"
)
# "it takes nine hours", "we spend three days on month-end", "scrap was running at 6%":
# what a task costs today, said without any change, is how customers describe pain.
_COST_OF_TASK_RE: Final = re.compile(
    r"\b(?:takes?|taking|took|spend|spends|spending|spent|running at|ran at|stuck at|sitting at|"
    r"hovering|(?:was|were) (?:at|about|around|like|running|sitting)|paid(?: out)?|paying|"
    r"losing|lost|down for|wait(?:s|ed|ing)?|on average|burn(?:s|ed|ing)?|eat(?:s|ing)? up)\b"
)
_RECURRING_RE: Final = re.compile(
    r"\b(?:a|per|every|each) (?:day|week|month|morning|shift|night|quarter|year|month-end|"
    r"close|patient|order|customer|report|store|school)\b|\bon average\b|\bof (?:their|our|"
    r"my|the) time\b|\b(?:takes?|spends?|spending|running at|stuck at)\b"
)
_NOT_PAIN_MONEY_RE: Final = re.compile(
    r"\b(?:licen[cs]e|subscription|contract|price|pricing|quote|budget|invoice|renewal|fees?)\b"
)
# A result said with a baseline ("the queue went from 300 down to 40") is not a complaint.
_CHANGE_SENTENCE_RE: Final = re.compile(
    r"\b(?:went from|(?:down|up) to|dropped|fell|decreased|improved|reduced|no longer|"
    r"cut (?:it|that|our|the)|now (?:it's|it is|takes|we|they|runs))\b|"
    # "now it streams instead of the nightly batch" is a change; "they spend 30% of their
    # time reconciling instead of analyzing" is the pain itself.
    r"\b(?:now|today|these days)\b[^.!?]{0,60}\binstead of\b|\binstead of\b[^.!?]{0,40}\bnow\b"
)
_NOT_NOW_RE: Final = re.compile(
    r"\b(?:'d like|would like|let's|let me|i'll|we'll|going to|want to|wanna|plan to)\b"
)
_WE_RE: Final = re.compile(r"\b(?:we|our|us|my|i|i'm|we're|we've|me)\b")
# "You can say this: ...", "quote me on this", "feel free to use this": the words that follow
# are offered as a quote.
_QUOTE_FRAME_RE: Final = re.compile(
    r"\b(?:you can (?:say|quote|write|put|use)(?: (?:this|that|me))?|(?:feel free to|go ahead and) "
    r"(?:quote|use)(?: me| this| that)?|quote me(?: on (?:this|that))?|here's (?:my|a|the) quote|"
    r"put this in (?:the|your) (?:case study|deck|writeup|write-up))\b\W*"
)
# An answer that declines or defers the quote.
_NO_QUOTE_RE: Final = re.compile(
    r"\b(?:check with|ask (?:my|our|legal)|legal|approval|approve|no promises|not sure|can't|"
    r"cannot|get back to you|let me think|off the record)\b"
)
# A question that asks for a quote: "anything we could quote you on", "anything you want to say
# about Baylock that we could share?", "would you recommend us".
_QUOTE_ASK_RE: Final = re.compile(
    r"\b(?:quote you|could quote|can quote|testimonial|(?:we|i) could share|we can share|"
    r"would you recommend|(?:give|giving|offer|share|provide) (?:us|me) a (?:\w+ )?quote|"
    r"open to (?:giving us )?a (?:\w+ )?quote|a (?:\w+ )?quote for (?:the|a|our) (?:case study|"
    r"customer story|story|website|press release|blog|banner|expo))\b"
)
# "our riders believe the arrival times", "my crews trust it": the customer's people, won over.
_THEIR_PEOPLE_RE: Final = re.compile(
    r"\b(?:our|my) (?:\w+ )?(?:customers|riders|patients|guests|members|users|staff|team|"
    r"crews|drivers|nurses|lawyers|analysts|students|residents|agents|technicians|supers) "
    r"(?:actually |finally |now |really )?(?:trust|believe|love|like|rely on|ask for)\b"
)
# A sentence that opens on the old way ("Before Ostrander, room status lived on a whiteboard",
# "Back then ...", "In the old system ..."): it and the next few sentences describe the pains.
_OLD_WAY_RE: Final = re.compile(
    r"^\W*(?:(?:so|and|well|honestly|yeah|sure)\W+)*(?:before (?!we (?:start|begin|go|get|dive|"
    r"jump|wrap)\b)(?:[a-z'-]+\s?){1,3},|back then\b|in the old (?:days|system|world|setup)\b|"
    r"(?:today|right now|currently|at the moment|at present)\b(?!,? (?:i|we)(?:'ll| will)\b)|"
    r"the old way\b|previously\b|before (?:we|you) (?:had|went|switched|moved|rolled)\b)"
)

# A question asking for the pains ("What's not working?", "Any issues so far?", "What was the
# biggest challenge?"): the answer that follows describes problems in its own words.
_PAIN_QUESTION_RE: Final = re.compile(
    r"\bwhat(?:'s| is|'s been| has been)? (?:not working|broken|going wrong|(?:been )?(?:hard|"
    r"painful|difficult|frustrating|tough)|bugging you|bothering you)\b|\bwhat (?:isn't|is not|"
    r"hasn't been|wasn't) (?:working|going well|great)\b|\bany (?:issues|problems|complaints|"
    r"pain points|challenges|blockers|concerns|hiccups|gripes)\b|\b(?:biggest|main|top|"
    r"remaining|open) (?:challenges?|problems?|issues?|pains?|pain points?|headaches?|"
    r"complaints?|gripes?)\b|\bpain points?\b|\bwhat (?:were|was) (?:the|your) (?:challenges?|"
    r"problems?|issues?)\b|\bwhat could (?:be|we do) better\b|\bwhere (?:are|were) (?:you|"
    r"things|we) (?:struggling|stuck)\b|"
    # The old way, asked for: "What was it like before Tidewell?", "How did you handle it before?"
    r"\bwhat (?:was|were) (?:it|things|life|the situation|work|your day) like (?:before|back "
    r"then|previously)\b|\bhow did you (?:do|handle|manage|track|run) (?:it|this|that|things)"
    r"(?: \w+){0,3} before\b|\bwhat (?:were|was) you (?:doing|using) before\b"
)

# Words around a number that say it moved (before it: "down 40%", "saved $2M"; after it:
# "40% fewer tickets", "3x faster").
_CHANGE_BEFORE: Final = frozenset(
    """dropped fell declined decreased decrease reduced reduction reduce cut
    cutting lowered increased increase rose grew growth improved improvement gained gain
    lift lifted boost boosted saved saving savings freed eliminated avoided went gone
    shaved trimmed slashed climbed jumped doubled tripled halved dropping falling rising
    improving reducing saves save recovered recouped generated added signed won booked
    closed""".split()
)
_CHANGE_AFTER: Final = frozenset(
    """faster quicker fewer less lower higher reduction increase improvement decrease drop
    lift gain savings saved return roi better shorter cheaper uplift growth avoided
    instead""".split()
)
# "down 18%", "up like 6.5%", "down to 9%": "up" and "down" count only right before the number
# ("made up 20% of the cost", "down for six hours" and "shut it down after" do not).
_UP_DOWN_RE: Final = re.compile(
    r"(?<!made )(?<!make )(?<!makes )(?<!picks )(?<!wrap )\b(?:up|down)\s(?:by\s|to\s)?(?:(?:about|"
    r"around|roughly|like|almost|nearly|over|more than|another|just|only)\s)*$"
)
_STRONG_CHANGE: Final = frozenset(
    """dropped fell declined decreased reduced cut lowered increased rose grew improved gained
    saved freed eliminated went shaved slashed climbed jumped doubled tripled halved
    recovered recouped generated signed won booked""".split()
)
# The number before the change: "from 9 hours", "versus 20%", "out of 60 stores", "used to
# take two days", "instead of two days".
_BASELINE_RE: Final = re.compile(
    r"(?:\bfrom|\bversus|\bvs\.?|\bcompared (?:to|with)|\bused to (?:take|be|cost|run|spend|"
    r"have|get)(?: us| me| them| my \w+| our \w+| the \w+| each \w+)?|\bpreviously|\boriginally|"
    r"\bout of|\bof (?:our|your|the|their)|\binstead of|\bbaseline(?: of| was)?|\bit took|"
    r"\bcompared to|\brather than)\s(?:(?:about|around|roughly|like|almost|"
    r"nearly|over|under|more than|less than|just|only|a|an)\s)*$"
)
# "ten minutes instead of two days" compares amounts; "40% of their week chasing paperwork
# instead of helping patients" does not.
_INSTEAD_OF_AMOUNT_RE: Final = re.compile(
    r"\binstead of (?:about |around |roughly |like |almost |nearly |over |the )?(?:\d|an? |one|"
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|sixty|hundred|several|hours|days|weeks|months)"
)
_TO_RESULT_RE: Final = re.compile(
    r"\bto\s(?:(?:about|around|roughly|like|almost|nearly|just|only|under|below|over|above)\s)*$"
)
_BY_RE: Final = re.compile(r"\bby\s(?:(?:about|around|roughly|almost|nearly|over|more than)\s)*$")
# Usage said as a state: "81 are using it every day", "120 nurses are active users", "all
# nine clinics are live", "40 operators log in every shift".
_ADOPT_STRONG_RE: Final = re.compile(
    r"\b(?:adoption|adopted|active|users?|using|uses|use (?:it|them|the|our|this)|used (?:it|"
    r"the)|logins?|log(?:s|ged|ging)? (?:in|on)|onboarded|on it|on board|on the platform|"
    r"installed|(?:are|is|were|went|gone) live|connected|running in|trained|rolled out)\b"
)
# A bare number needs a verb of use right after it: "81 are using it", "120 staff are active
# users", "seven of your ten sites are live" ("Four, driver adoption." is not usage).
_ADOPT_VERB_RE: Final = re.compile(
    r"\b(?:are|is|were|'re) (?:now |all )?(?:using|active|live|on (?:it|board|the platform)|"
    r"connected|running in|logged in)\b|\b(?:use|uses|used) (?:it|them|the|our|this|\w+ "
    r"(?:every|daily|weekly))\b|\blog(?:s|ged)? (?:in|on)\b|\bactive users?\b|\binstalled\b"
)
# "90 of our 110 operators", "out of 60 stores": the whole, not the result.
_DENOMINATOR_RE: Final = re.compile(
    r"\b(?:out of|of (?:our|your|the|their|all|those))(?: [a-z]+){0,2} ?$"
)
_ADOPT_NOUN_RE: Final = re.compile(r"\b(?:adoption|usage|utili[sz]ation|active users?|logins?)\b")
_SIZE_UNITS: Final = frozenset(
    """employees staff workers people locations branches offices customers patients students
    members beds trucks vehicles trailers drivers stores plants facilities clinics schools
    states countries policyholders accounts hospitals warehouses terminals sites families
    adjusters providers physicians nurses""".split()
)
_FREQUENCY_RE: Final = re.compile(
    r"\b(?:daily|weekly|every (?:single )?(?:day|week|shift|morning|month)|at least (?:weekly|"
    r"daily|once))\b"
)
_SIZE_RE: Final = re.compile(
    r"\b(?:we have|we've got|there are|there were|we employ|we serve|we operate|serving|"
    r"employs?|staff of|headcount|team of)\b"
)
# Targets, guesses and hypotheticals: left of the number or just after it.
_TARGET_RE: Final = re.compile(
    r"\b(?:want|wants|wanted to|goal|goals|target|targets|targeting|aim|aiming|hope|hoping|"
    r"hopefully|plan|plans|planning|expect|expecting|projected|projection|forecasted|would|"
    r"could|should|might|will|'ll|going to|gonna|need to|needs to|trying to|objective|"
    r"committed to|aspire|if we|if you|if they|potential|potentially|imagine|let's say|for "
    r"example|up to|as much as|assume|assuming|proposal|proposed|scenario|if|when we get|"
    r"once we|goal of|by the end of|by end of)\b|\?"
)
# Claims about other customers, misses and negations are not this customer's results.
_CLAIM_RE: Final = re.compile(
    r"\b(?:typically|typical|average (?:[a-z-]+ ){0,3}(?:customer|client)s?\b|"
    r"for comparison|most (?:customers|clients)|"
    r"other (?:customers|clients)|our (?:customers|clients)|customers (?:typically|usually|"
    r"generally|see|like you)|industry (?:average|benchmark)|benchmarks?|sales deck|we say|"
    r"we work with|i work with|(?:clients|customers|companies) like|a (?:customer|client) of "
    r"ours|we've seen|we have seen|we see|offer|offers|offered|salary|wages?|quoted|quotes?|"
    r"list price|pricing|price|budget|budgeted|discount|uplift|pays? (?!back|for itself|off)|"
    r"paying (?!back|off)|"
    r"missed|fell short|short of|didn't|did not|not yet|haven't|hasn't|no change|isn't|wasn't)\b"
)
_PRICE_RE: Final = re.compile(
    r"\b(?:budget|budgeted|price|pricing|priced|cost us|costs us|list price|quote|quoted|"
    r"discount|uplift|invoice|fees?|per seat|per user|per licen[cs]e|subscription|renewal|"
    r"licen[cs]e[sd]?|seats?|employees|headcount|founded|since|paid for|bought|purchased|"
    r"approval|approve|limit)\b"
)
_WIN_RE: Final = re.compile(
    r"\b(?:won|signed|landed|closed|booked|brought in|new) (?:a |an |the |some )?(?:new )?"
    r"(?:contract|deal|deals|customer|customers|account|accounts|business|logo|logos)\b"
)
_ROI_RE: Final = re.compile(
    r"\b(?:roi|return on|return|payback|paid back|pays back|pay back|paid for itself|pays for "
    r"itself|paid off)\b"
)
_REVENUE_RE: Final = re.compile(
    r"(?<!non-)(?<!non )\b(?:revenue|sales|upsell|upsells|bookings|arr|mrr|new business|"
    r"top line|top-line|income|funding|recurring|contract worth|deals? (?:won|closed)|"
    r"won (?:deals?|customers|business))\b"
)
_PHRASAL_CHANGE_RE: Final = re.compile(
    r"\b(?:took|taken|takes|knocked|shaved|cut|taking|wiped|freed) (?:out|off|up)\b"
    r"(?:\s(?:about|around|roughly|almost|nearly|over|more than))?\s*$"
)
# "now" marks a result only against an earlier state said in the same sentence.
_DONE_PARTICIPLES: Final = frozenset("saved avoided eliminated freed recouped".split())
_ROI_OPENS_RE: Final = re.compile(r"^\W*(?:return on (?:the |our )?investment|roi)\b")
# A sentence that only gives the baseline of the figure said just before it.
_BASELINE_OPENS_RE: Final = re.compile(
    r"^\W*(?:(?:and|so|that's|that is|it's|it was)\s+)?(?:down|up|improved|dropped|fell|rose) "
    r"(?:from|on)\b"
)
_NO_LONGER_RE: Final = re.compile(
    r"[^.;?!]{0,30}?\b(?:no longer|not) (?:losing|paying|spending|wasting|burning|throwing away)\b"
)
_SAVED_RE: Final = re.compile(r"\b(?:saved|avoided|freed|recovered|eliminated)\b")
# The figure now, after the one before it in the previous sentence of the same turn.
_NOW_AT_RE: Final = re.compile(
    r"\b(?:we(?:'re| are| were)|it(?:'s| is| was)|(?:we|it) (?:got|came in)|now|(?:we're|we are|"
    r"it's|it is) now) (?:at|to|up to|down to)\s+(?:(?:about|around|roughly|nearly)\s+)?$"
)
_BEFORE_PERCENT_RE: Final = re.compile(
    r"\b(?:before|used to|prior to|last year|baseline|previously)\b[^.?!]*?"
    r"(?:\d+(?:\.\d+)?\s?%|\d+(?:\.\d+)?\s?percent|\b\w+ percent)"
)
# The baseline said after the figure: ", and they were around 60% before".
_LATER_BASELINE_RE: Final = re.compile(
    r"[^.;?!]{0,40}?\b(?:was|were|had been|used to be)\b[^.;?!]{0,30}?"
    r"(?:\d|\b(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|percent)\b)"
    r"[^.;?!]{0,25}?\b"
    r"(?:before|previously|last year|a year ago|at the start|back then)\b"
)
_EARLIER_RE: Final = re.compile(
    r"\b(?:used to|before|previously|was|were|took|last year|originally|it had)\b"
)
# "in the first two quarters", "over the last six months": the window a result was measured
# in, not the result.
_TIME_WINDOW_RE: Final = re.compile(
    r"\b(?:in|over|within|during|for|after|across|since) (?:the )?(?:first|last|past|next|"
    r"initial)?\s*$"
)
_CHANGE_NOUN_RE: Final = re.compile(
    r"\b(?:drop|reduction|decrease|increase|improvement|savings|gain|lift|cut)\b"
)
_OUTCOME_KINDS: Final = frozenset({"percent", "money", "duration", "count", "multiplier"})
_NOW_RESULT_RE: Final = re.compile(
    r"\b(?:ran|runs|run|loads|loaded|came back|finished|completed|refreshes|refreshed|takes|"
    r"down to|now|in) (?:(?:about|around|roughly|like|just|only|under|less than)\s)*$"
)
_TRIAL_RE: Final = re.compile(
    r"\b(?:pilot|poc|proof of concept|proof-of-concept|trial|test run|sandbox)\b"
)

_TESTIMONIAL_LEX: Final = {
    "game changer": 0.5,
    "game-changer": 0.5,
    "night and day": 0.5,
    "couldn't be happier": 0.55,
    "could not be happier": 0.55,
    "can't imagine going back": 0.5,
    "wouldn't go back": 0.5,
    "never go back": 0.45,
    "would recommend": 0.5,
    "i'd recommend": 0.5,
    "highly recommend": 0.55,
    "recommend them": 0.45,
    "recommend it": 0.4,
    "best decision": 0.5,
    "best investment": 0.5,
    "best thing": 0.4,
    "lifesaver": 0.45,
    "life saver": 0.45,
    "blown away": 0.45,
    "exceeded": 0.35,
    "transformed": 0.4,
    "transformative": 0.4,
    "paid for itself": 0.5,
    "changed the way": 0.4,
    "changed how": 0.35,
    "made a huge difference": 0.45,
    "made a big difference": 0.4,
    "made a real difference": 0.4,
    "huge difference": 0.35,
    "trust the data": 0.45,
    "finally": 0.2,
    "love": 0.3,
    "loved": 0.3,
    "loves": 0.3,
    "thrilled": 0.35,
    "delighted": 0.35,
    "amazing": 0.3,
    "fantastic": 0.3,
    "incredible": 0.3,
    "excellent": 0.3,
    "outstanding": 0.3,
    "phenomenal": 0.3,
    "wonderful": 0.3,
    "awesome": 0.2,
    "great partner": 0.4,
    "huge win": 0.35,
    "big win": 0.3,
    "so much easier": 0.35,
    "so much faster": 0.35,
    "so much better": 0.35,
    "much better": 0.25,
    "way better": 0.25,
    "really happy": 0.3,
    "very happy": 0.3,
    "so happy": 0.3,
    "really pleased": 0.3,
    "impressed": 0.3,
    "proud": 0.25,
    "seamless": 0.25,
    "smooth": 0.15,
    "easy to use": 0.3,
    "rock solid": 0.35,
    "worth it": 0.35,
    "worth every": 0.4,
    "can't say enough": 0.45,
    "huge": 0.15,
    "great": 0.15,
    "happy": 0.15,
    "pleased": 0.15,
    "easier": 0.15,
    "faster": 0.1,
    "helpful": 0.15,
    "valuable": 0.2,
    "success": 0.15,
    "successful": 0.15,
    "confidence": 0.15,
    "confident": 0.15,
    "calm": 0.15,
    "calmer": 0.2,
    "no longer": 0.2,
    "don't have to": 0.2,
    "stopped chasing": 0.3,
    "right system": 0.3,
    "right choice": 0.35,
    "right decision": 0.35,
    "made the right": 0.3,
    "couldn't have done": 0.35,
    "thank you": 0.05,
    # How people frame a line they mean to be quoted, and before/after contrasts.
    "quote me": 0.45,
    "you can quote": 0.45,
    "the whole point": 0.3,
    "the moment i knew": 0.4,
    "that's when i knew": 0.4,
    "for the first time": 0.3,
    "first time in": 0.25,
    "instead of chasing": 0.35,
    "instead of": 0.15,
    "now we can": 0.25,
    "now i can": 0.25,
    "now they can": 0.25,
    "actually trust": 0.35,
    "trust it": 0.2,
    "sleep at night": 0.35,
    "weekends back": 0.4,
    "evenings back": 0.4,
    "our lives back": 0.4,
    "time back": 0.3,
    "afternoons back": 0.4,
    "mornings back": 0.4,
    "nights back": 0.4,
    "days back": 0.35,
}
_TESTIMONIAL_RE: Final = _words_re(_TESTIMONIAL_LEX)
_NOT_TESTIMONIAL_RE: Final = re.compile(
    r"\b(?:great|good|nice) to (?:see|meet|hear|have)\b|\b(?:great|good) question\b|\bsounds "
    r"(?:great|good)\b|\bhappy to (?:help|do|share|answer|send|take|walk|set|jump|chat|talk|"
    r"hop|connect|provide|cover|go)\b|\b(?:would|i'd|we'd) love to\b|\blove to (?:see|hear|get"
    r"|have)\b|\blove (?:the|your) (?:background|shirt|dog|view)\b|\bour (?:platform|product|"
    r"products|solution|customers|clients|team is|roadmap)\b|\bcustomers (?:love|see)\b|"
    r"\bwe're (?:proud|excited|thrilled) to (?:announce|share|partner)\b|\bnot (?:so |that |"
    r"very |really |too )?(?:great|good|happy|impressed|pleased)\b|\bwasn't (?:great|good)\b|"
    r"\bwould be (?:great|amazing|awesome|huge)\b|\bthat'd be\b|\bhope\b|\bwish\b|\bif (?:it|we|"
    r"you|they) (?:could|would|can)\b"
)
_SPECIFIC_RE: Final = re.compile(
    r"\b(?:team|teams|planners|dispatchers|staff|nurses|managers|users|people|everyone|"
    r"customers|clinicians|doctors|teachers|agents|adjusters|engineers|analysts|reps|drivers|"
    r"stores|operators|board|finance|ops|numbers|data|reports?|dashboards?|forecasts?|"
    r"morning|meetings?|month-end|weekends?)\b"
)

_PLAN_LEX: Final = {
    "plan to": 0.45,
    "plans to": 0.45,
    "planning to": 0.45,
    "planning on": 0.4,
    "we plan": 0.45,
    "the plan is": 0.4,
    "our plan": 0.35,
    "phase two": 0.45,
    "phase 2": 0.45,
    "phase ii": 0.45,
    "phase three": 0.4,
    "phase 3": 0.4,
    "next phase": 0.45,
    "second phase": 0.4,
    "roadmap": 0.2,
    "the goal is": 0.45,
    "our goal": 0.45,
    "goal is to": 0.45,
    "target": 0.35,
    "targeting": 0.35,
    "aim to": 0.4,
    "aiming to": 0.4,
    "aiming for": 0.4,
    "looking at expanding": 0.45,
    "looking at adding": 0.45,
    "looking at rolling": 0.45,
    "looking to expand": 0.45,
    "looking to add": 0.45,
    "looking to roll": 0.45,
    "hoping to": 0.35,
    "we hope to": 0.35,
    "we'd like to": 0.3,
    "we would like to": 0.3,
    "next quarter": 0.25,
    "next year": 0.3,
    "next fiscal year": 0.3,
    "later this year": 0.25,
    "end of the year": 0.2,
    "end of year": 0.2,
    "by year end": 0.25,
    "expand to": 0.35,
    "expand into": 0.35,
    "expanding to": 0.35,
    "expanding into": 0.35,
    "roll out to": 0.35,
    "roll it out to": 0.35,
    "rolling out to": 0.35,
    "down the road": 0.3,
    "eventually": 0.25,
    "long term": 0.25,
    "long-term": 0.25,
    "longer term": 0.3,
    "in the future": 0.3,
    "considering": 0.25,
    "evaluating": 0.25,
    "exploring": 0.25,
    "interested in adding": 0.4,
    "goal": 0.35,
    "goals": 0.3,
    "wants a pilot": 0.45,
    "want a pilot": 0.45,
    "signed off on a pilot": 0.45,
    "wish list": 0.4,
    "would like": 0.3,
    "'d like": 0.25,
    "pilot with": 0.3,
    "pilot of": 0.3,
    "pilot at": 0.3,
    "this year": 0.05,
    "interested in expanding": 0.4,
    "next step": 0.15,
    "next steps": 0.15,
    "going to add": 0.35,
    "going to expand": 0.4,
    "going to roll": 0.4,
    "we'll expand": 0.4,
    "we'll roll": 0.4,
    "we'll add": 0.35,
    "we'd propose": 0.5,
    "we would propose": 0.5,
    "propose a pilot": 0.5,
    "looking further out": 0.45,
    "further out": 0.3,
    "later in the year": 0.3,
    "come on board": 0.2,
    "success criteria": 0.35,
    "objective": 0.3,
    "objectives": 0.3,
}
_PLAN_RE: Final = _words_re(_PLAN_LEX)
# A numbered list of goals ("We have three goals. One, ... Two, ..."): each item is a plan.
_GOALS_INTRO_RE: Final = re.compile(
    r"\b(?:goals|targets|objectives|success criteria|kpis|outcomes we want)\b"
)
_LIST_ITEM_RE: Final = re.compile(
    r"^\W*(?:and\s+)?(?:one|two|three|four|five|first|second|third|fourth|fifth|finally|"
    r"number (?:one|two|three|four))\b[,:.]?\s"
)
# "we'd like to pilot X", "they want to bring the rural clinics on board", "we'd want X on
# every line": a wish with a verb of growth is a plan; "I'd like to add one thing" is not.
_DESIRE_RE: Final = re.compile(
    r"(?P<subj>\b[a-z]+)(?P<desire>(?: really| also| eventually| ultimately)?(?: want| wants| "
    r"wanna|'d want| would want|'d like| would like| hope| hopes| are hoping| intend| intends| "
    r"aim| are aiming| are looking| 're looking| 're hoping|'d probably| would probably)) (?:to )?"
    r"(?P<verb>[a-z]+)"
)
# A person's own wish in a meeting ("I'd like to get you a draft") is not a plan of the
# organisation; "we", "they", a team or a name are.
_NOT_PLAN_SUBJECTS: Final = frozenset({"i", "you", "don't", "not", "never"})
_PLAN_VERBS: Final = frozenset(
    """pilot add expand roll bring start extend connect move try evaluate open launch build
    integrate consolidate migrate adopt implement deploy buy license grow scale replace
    automate onboard include explore use get reach hit cut reduce increase double cover
    switch standardize standardise retire sunset upgrade go""".split()
)
_NOT_DESIRE_RE: Final = re.compile(
    r"(?:add (?:one|a|another|something|to that|that)|start (?:with|by|off)|go (?:through|over|"
    r"back|ahead|first|around)|get (?:into|started|going|through|to know|back to you|it right)|"
    r"use (?:this|the) (?:time|call|meeting)|try (?:and )?(?:to )?(?:keep|stay|make))\b"
)
_PROGRESSIVE_PLAN_RE: Final = re.compile(
    r"\b(?:we're|we are|they're|they are) (?:opening|adding|launching|rolling out|expanding|"
    r"moving|building|buying|piloting|evaluating|bringing|migrating|consolidating|replacing|"
    r"hiring|planning)\b"
)
_PLAN_HORIZON_RE: Final = re.compile(
    r"\b(?:next (?:quarter|year|fiscal|phase|spring|summer|fall|autumn|winter)|phase (?:two|2|"
    r"ii|three|3)|(?:later|end of) (?:this |the )?year|by (?:the end of |end of )?(?:q[1-4]|"
    r"20\d\d|twenty twenty)|in 20\d\d|h[12]|roadmap|eventually|long[- ]term|down the road|"
    r"by (?:the end of )?(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december|spring|summer|fall|autumn|winter)(?: (?:20\d\d|next year))?)\b"
)
_NOT_PLAN_RE: Final = re.compile(
    r"\bno plans?\b|\bnot planning\b|\bdon't plan\b|\bplan for (?:today|this call|the call|the "
    r"meeting|this meeting)\b|\bagenda\b|\bnext (?:few|thirty|30|twenty|20) minutes\b|"
    r"\b(?:lesson|takeaway)s?\b|\bthe plan (?:is|was) (?:to )?(?:walk|go|start|do|cover|spend)"
    r"\b|\bour (?:customers|clients) (?:plan|want)\b|\b(?:didn't|did not|never) (?:hit|reach|"
    r"make)\b|\bmissed\b|\bfell short\b|\bnot (?:looking|planning|going) to\b|\b(?:don't|"
    r"doesn't|do not) (?:want|plan|intend)\b|\b(?:goal|plan|aim|idea|purpose)(?: for (?:today|"
    r"this call|this meeting|the call))? (?:is|was) (?:really |just |basically )?(?:for (?:us|you|"
    r"me) )?to (?:understand|learn|hear|walk|go|cover|discuss|talk|review|start|do|spend|get to "
    r"know|make sure)\b"
)

_EVENT_RE: Final = re.compile(
    r"\b(?P<golive>go[- ]?live|went live|go(?:ing)? live|goes live|live (?:on|in|by)|cut ?over)"
    r"\b|\b(?P<launch>launch(?:ed|es|ing)?)\b|\b(?P<kickoff>kick(?:ed|ing)?[- ]?off|kickoff)\b|"
    r"\b(?P<start>start(?:ed|s|ing)?|began|begin(?:s|ning)?|commenc\w*)\b|\b(?P<uat>uat|user "
    r"acceptance)\b|\b(?P<pilot>pilot(?:s|ed|ing)?|proof of concept|poc)\b|"
    r"\b(?P<signoff>sign[- ]?off|signed off|approv(?:al|ed|e))\b|\b(?P<contract>contract|"
    r"signed|signing|agreement|sow|statement of work|purchase order)\b|\b(?P<renewal>renew"
    r"(?:al|als|s|ed|ing)?)\b|\b(?P<deadline>due|deadline)\b|\b(?P<completion>complet(?:e|ed|es|"
    r"ion)|finish(?:ed|es)?|wrap(?:ped|s)?(?: up)?|delivered|delivery|hand(?:ed)? ?over)\b|"
    r"\b(?P<rollout>roll(?:ed|"
    r"ing)?[- ]?out|rollout|deploy(?:ed|ment)?)\b|\b(?P<migration>migrat\w*)\b|"
    r"\b(?P<training>training|trained|workshops?)\b|\b(?P<outage>outage|incident|downtime|went "
    r"down)\b|\b(?P<audit>audit)\b|\b(?P<meeting>board meeting|meeting|review|qbr|summit|"
    r"conference|webinar|offsite|expo|trade show)\b|\b(?P<expiry>expir\w*|ends?|ended|end date)"
    r"\b|\b(?P<milestone>milestone|phase \w+|cutoff|freeze)\b"
)
_EVENT_NAMES: Final = {
    "golive": "go-live",
    "launch": "launch",
    "kickoff": "kickoff",
    "start": "start",
    "uat": "UAT",
    "pilot": "pilot",
    "signoff": "sign-off",
    "contract": "contract",
    "renewal": "renewal",
    "deadline": "deadline",
    "completion": "completion",
    "rollout": "rollout",
    "migration": "migration",
    "training": "training",
    "outage": "outage",
    "audit": "audit",
    "meeting": "meeting",
    "expiry": "end",
    "milestone": "milestone",
}
_GENERIC_EVENTS: Final = frozenset({"start", "end", "deadline", "completion"})
# A date the speaker names right after saying it: "June 27th, 2025, which is our official
# completion date", "may thirtieth twenty twenty five which is when we formally closed the
# engagement", "February 3rd. That was our kickoff date."
_NAMES_THE_DATE_RE: Final = re.compile(
    r"[,.]?\s*(?:(?:which|that|this)(?:'s| is| was)|and that(?:'s| is| was))\s+(?:(?:when\s+we\s+"
    r"(?:\w+ly\s+)?(?:(?P<done>closed|completed|finished|wrapped up|ended|signed off)|"
    r"(?P<began>kicked off|started|began))\b)|(?:(?:our|the|your)\s+)?(?:(?:official|formal|"
    r"actual|original|planned)\s+)?(?:(?P<end>completion|end|finish|go-live|go live|handover)|"
    r"(?P<startd>start)|(?P<kick>kickoff|kick-off|kick off))\s+date\b)"
)
_NAMED_DATE_EVENTS: Final = {
    "done": "completion",
    "end": "completion",
    "began": "kickoff",
    "startd": "start",
    "kick": "kickoff",
}
_HARD_BREAK_RE: Final = re.compile(r"[.;!?](?:\s|$)")
_CLAUSE_BREAK_RE: Final = re.compile(
    r"[.;!?](?=\s|$)|\s[-\u2013\u2014]+\s|\b(?:but|because|whereas|although|though|which|so|and|"
    r"while|plus|also)\b"
)


def _windows(low: str, positions: list[int], limit: int = _VALUE_LIMIT) -> list[tuple[int, int]]:
    """Spans of ``low`` to judge and show, one per cluster of hits.

    A short sentence is one span. A long one (ASR run-ons reach thousands of characters) gets
    a ``limit``-sized span around each group of hits, so each fact is scored on its own words
    and shown with them; at most four spans per sentence.
    """
    if len(low) <= limit:
        return [(0, len(low))]
    spans: list[tuple[int, int]] = []
    for pos in sorted(positions):
        if spans and pos < spans[-1][1] - 60:
            continue
        start = max(0, pos - limit // 3)
        end = min(len(low), start + limit)
        start = max(0, end - limit)
        spans.append((start, end))
        if len(spans) == 4:
            break
    return spans


_ANCHOR_SENTENCES: Final = 8  # how far back a full date still anchors a year-less one


def _nearest_year(iso: str, anchor: str) -> str:
    """``iso`` moved to the year (anchor's, or one either side) nearest to ``anchor``.

    >>> _nearest_year("2025-11-15", "2025-01-31"), _nearest_year("2025-01-20", "2025-01-31")
    ('2024-11-15', '2025-01-20')
    """
    try:
        a = _dt.date.fromisoformat(anchor)
        month, day = int(iso[5:7]), int(iso[8:10])
        options = [_dt.date(y, month, day) for y in (a.year - 1, a.year, a.year + 1)]
    except ValueError:
        return iso
    return min(options, key=lambda o: abs((o - a).days)).isoformat()


def _date_normalized(d: DateMatch) -> str | None:
    if d.iso:
        return d.iso
    if d.year is None:
        return None
    if d.precision == "month" and d.month:
        return f"{d.year:04d}-{d.month:02d}"
    if d.precision == "quarter" and d.quarter:
        return f"{d.year:04d}-Q{d.quarter}"
    return f"{d.year:04d}"


# ---------------------------------------------------------------------------------------
# Bounded storage
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Entry:
    seq: int
    cand: Candidate
    date_at: int = -1  # offset of a date said without a year, resolved in finish()
    date_attr: str = ""  # "normalized" (dates) or "due" (commitments)


class _TopK:
    """The ``limit`` most confident entries; ties keep the earliest. O(log limit) per add."""

    __slots__ = ("heap", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.heap: list[tuple[float, int, _Entry]] = []

    def add(self, entry: _Entry) -> None:
        # Min-heap on (confidence, -seq): the root is the least confident, latest entry.
        key = (entry.cand.confidence, -entry.seq, entry)
        if len(self.heap) < self.limit:
            heapq.heappush(self.heap, key)
        elif key[:2] > self.heap[0][:2]:
            heapq.heapreplace(self.heap, key)

    def entries(self) -> list[_Entry]:
        return sorted((item[2] for item in self.heap), key=lambda e: e.seq)


# ---------------------------------------------------------------------------------------
# The extractor
# ---------------------------------------------------------------------------------------


class FactExtractor:
    """Streaming, bounded extraction of candidate facts from a call.

    Example:
        >>> from customer_snapshot.nlp.types import Sentence
        >>> ex = FactExtractor(max_per_kind=10)
        >>> ex.feed(Sentence("Write to ann.lee@example.org any time.", "Ann", None, 0, 2, 0, 0))
        >>> facts = ex.finish()
        >>> [(c.kind, c.normalized) for c in facts.candidates["contact"]]
        [('contact', 'ann.lee@example.org')]
    """

    def __init__(self, *, max_per_kind: int = 200, lexicon: frozenset[str] = frozenset()) -> None:
        """Create an extractor.

        Args:
            max_per_kind: candidates kept per kind (the most confident; ties by call order).
            lexicon: the words the spaCy model knows (lower case); in lower-case ASR a word
                outside it, after "I'm" / "this is", is taken for a name.

        Raises:
            ValueError: ``max_per_kind`` is less than 1.
        """
        if max_per_kind < 1:
            raise ValueError(f"max_per_kind must be at least 1, not {max_per_kind}")
        self._store = {kind: _TopK(max_per_kind) for kind in FACT_KINDS}
        self._seq = 0
        self._years: Counter[int] = Counter()
        self._year_weight: Counter[int] = Counter()
        self._known: dict[str, None] = {}  # first names, bounded (insertion-ordered LRU)
        self._intro = _IntroFinder(self._known, lexicon)
        self._turn: int | None = None
        self._turn_speaker: str | None = None
        self._prev_speaker: str | None = None
        self._question: _Question | None = None
        self._answer: _Answer | None = None
        self._sentence_no = 0
        self._anchor: tuple[int, str] = (0, "")  # (sentence number, ISO) of the last full date
        # A date said without its event, waiting for "That's our kickoff." (turn, candidate).
        self._last_date: tuple[int, Candidate] | None = None
        self._prev_text = ""  # the previous sentence of the same turn ("that's an action item")
        self._prev_sentence: Sentence | None = None  # the previous sentence of the call
        self._goals_left = 0  # sentences in which "One, ..." still names a goal just announced
        self._prev_numbers: list[Quantity] = []  # its quantities (find_quantities, once)
        self._prev_outcome = False  # whether it held a measured result
        self._trial_left = 0  # sentences still inside talk about a pilot / proof of concept
        self._old_way_left = 0  # sentences still describing the old way (see _OLD_WAY_RE)
        # An answer to a pain question being given: (asker, answerer or "", sentences left).
        self._pain: tuple[str, str, int] = ("", "", 0)
        # A quote being given: (speaker, or "?" for whoever answers next; turn; sentences left).
        self._quote: tuple[str, int, int] = ("", -1, 0)
        self._last_self: tuple[int, str] = (-1, "")  # (turn, name) of the last self-intro

    # -- public API ----------------------------------------------------------------------

    def feed(self, sentence: Sentence) -> None:
        """Read the next sentence of the call.

        Args:
            sentence: the next sentence, in call order; its ``turn`` changes when the
                speaker turn does. Only O(1) context is kept between calls.
        """
        s = sentence
        text = s.text
        if not text.strip():
            return
        self._track_turn(s)
        if s.speaker:
            self._remember_speaker(s.speaker)
        low = _lower(text)
        asr = text == text.lower()
        question = s.is_question
        dates = find_dates(text, reference_year=None)
        for d in dates:
            year = d.year
            if (
                d.year_explicit
                and year is not None
                and (year in self._years or len(self._years) < _MAX_YEARS)
            ):
                self._years[year] += 1
                # A full date anchors the call's calendar more than a bare "in 2023", and the
                # engagement's own events (kickoff, go-live) more than anything else.
                weight = _YEAR_WEIGHT[d.precision]
                if set(_date_context(low, d.start, d.end).split()) & _ENGAGEMENT_EVENTS:
                    weight += 2
                self._year_weight[year] += weight
        numbers = find_quantities(text)
        quantities = [q for q in numbers if q.kind in _OUTCOME_KINDS]
        if _TRIAL_RE.search(low):
            self._trial_left = 6  # results said in the next few sentences are trial results
        elif self._trial_left:
            self._trial_left -= 1
        view: _View | None = None
        if (
            _INTRO_HINT_RE.search(low)
            or _opens_with_own_name(low, s.speaker)
            or _APPOSITIVE_HINT_RE.search(low)
        ):
            view = _make_view(s.tokens)
            self._introductions(s, view, asr)
        if _CONTACT_HINT_RE.search(low):
            view = view or _make_view(s.tokens)
            self._contacts(s, low, view)
        if _COMMIT_HINT_RE.search(low):
            view = view or _make_view(s.tokens)
            self._commitments(s, view, question, dates)
        outcome = False
        if numbers and not question:
            outcome = self._outcomes(s, low, numbers)
            if not outcome:
                outcome = self._baseline_follows(s, low)
        if not outcome and not question:
            outcome = self._roi_follows(s, low)
        quote = self._quoted(s, low)
        pain = self._pain_answer(s, low, question)
        if not question:
            if not outcome:
                self._problem(s, low, quantities, pain=pain)
            self._testimonial(s, low, quote)
            self._future_plan(s, low, quantities)
        self._sentence_no += 1
        self._date_follow_up(s, low)
        for d in dates:
            self._date(s, low, d)
        for q in quantities:
            self._quantity(s, low, q, question)
        # Unpunctuated ASR questions often open with fillers ("so um what industry ..."): they
        # still start a question/answer pair, but only short ones (long run-ons are talks).
        self._track_question(s, question or (s.word_count <= 25 and _asr_question(low)))
        self._prev_text = text
        self._prev_sentence = s
        self._prev_numbers = numbers
        self._prev_outcome = outcome

    def _unjudged_before(self, s: Sentence) -> Sentence | None:
        """The previous sentence, when the same speaker said it and it held no result."""
        prev = self._prev_sentence
        if prev is None or self._prev_outcome or prev.speaker != s.speaker:
            return None
        return prev

    def _add_across(self, prev: Sentence, s: Sentence, q: Quantity, category: str) -> None:
        """An outcome told over two sentences: ``q`` said in ``prev``, its meaning in ``s``."""
        text = f"{prev.text.strip()} {s.text.strip()}"
        value = _snippet(text, 0, len(text))
        ev = Evidence(prev.start, s.end, s.speaker, value)
        attrs = {"metric": q.normalized, "category": category, "kind": q.kind, "surface": q.text}
        self._add(Candidate("outcome", value, ev, q.normalized, 0.6, attrs))

    def _roi_follows(self, s: Sentence, low: str) -> bool:
        """A run-on cut between the figure and its meaning: "... delivered a four hundred and
        twenty percent" / "return on investment and ...". The figure ending the previous piece
        (same speaker) is the ROI."""
        prev = self._unjudged_before(s)
        if prev is None or not _ROI_OPENS_RE.match(low):
            return False
        found = [q for q in self._prev_numbers if q.kind in ("percent", "multiplier")]
        if not found or prev.text[found[-1].end :].strip(" ,.") != "":
            return False
        self._add_across(prev, s, found[-1], "roi")
        return True

    def _baseline_follows(self, s: Sentence, low: str) -> bool:
        """ "It's 3.8 days on average over the last quarter." / "Down from the 23 days ...":
        the sentence before, by the same speaker, held the result; this one gives its baseline.
        """
        prev = self._unjudged_before(s)
        if prev is None or not _BASELINE_OPENS_RE.match(low):
            return False
        kinds = ("duration", "percent", "money", "count", "multiplier")
        found = [q for q in self._prev_numbers if q.kind in kinds]
        if len(found) != 1:
            return False
        q = found[0]
        self._add_across(prev, s, q, "cost_savings" if q.kind == "money" else "improvement")
        return True

    def finish(self) -> Facts:
        """Flush pending context, resolve year-less dates and return the candidates.

        Returns:
            :class:`Facts` with every kind's candidates in call order.
        """
        self._flush_answer()
        ref = self._reference_year()
        out: dict[str, list[Candidate]] = {}
        for kind, store in self._store.items():
            entries = store.entries()
            if ref is not None:
                for entry in entries:
                    if entry.date_at >= 0:
                        self._resolve(entry, ref)
            out[kind] = [e.cand for e in entries]
        return Facts(out, ref, dict(self._years))

    # -- context -------------------------------------------------------------------------

    def _reference_year(self) -> int | None:
        """The explicit year said most (full dates weigh more); ties go to the later year."""
        if not self._year_weight:
            return None
        return max(self._year_weight.items(), key=lambda kv: (kv[1], self._years[kv[0]], kv[0]))[0]

    def _resolve(self, entry: _Entry, ref: int) -> None:
        cand = entry.cand
        for d in find_dates(cand.evidence.text, reference_year=ref):
            if d.start != entry.date_at:
                continue
            norm = _date_normalized(d)
            if norm is None:
                return
            anchor = cand.attrs.pop("anchor", "")
            if anchor and d.precision == "day":
                norm = _nearest_year(norm, anchor)
            if entry.date_attr == "due":
                cand.attrs["due"] = norm
            else:
                cand.normalized = norm
                if d.period:
                    cand.attrs["period_start"], cand.attrs["period_end"] = d.period
            cand.attrs["year_from"] = "reference"
            return

    def _remember_speaker(self, speaker: str) -> None:
        first = speaker.split(maxsplit=1)[0].lower() if speaker.split() else ""
        if not first.isalpha() or first in ("speaker", "unknown", "guest", "participant"):
            return
        if first not in self._known:
            self._known[first] = None
            while len(self._known) > _MAX_NAMES:
                self._known.pop(next(iter(self._known)))

    def _track_turn(self, s: Sentence) -> None:
        if self._turn == s.turn:
            return
        # A new turn: the answer being collected (if any) is complete.
        self._flush_answer()
        q = self._question
        if (
            q is not None
            and q.turn == self._turn
            and (s.speaker != q.asker or (s.speaker is None and q.asker is None))
        ):
            self._seq += 1  # the answer's place in call order is where it starts
            self._answer = _Answer(q, s.speaker, s.turn, _question_field(q.text), self._seq)
        self._question = None
        if self._turn is not None:
            self._prev_speaker = self._turn_speaker
        self._turn = s.turn
        self._turn_speaker = s.speaker
        self._prev_text = ""

    def _track_question(self, s: Sentence, question: bool) -> None:
        ans = self._answer
        if ans is not None and ans.turn == s.turn:
            ans.seen += 1
            if not (not ans.parts and _is_backchannel(s)):
                ans.parts.append(s)
            if len(ans.parts) >= 2 or ans.seen >= 4:
                self._flush_answer()
        if question:
            self._question = _Question(s.text.strip(), s.speaker, s.turn)
        elif self._question is not None and self._question.turn == s.turn:
            self._question.after += 1
            if self._question.after > 1:
                self._question = None  # the speaker moved on; the next turn is not an answer

    def _flush_answer(self) -> None:
        ans = self._answer
        self._answer = None
        if ans is None or not ans.parts:
            return
        first, last = ans.parts[0], ans.parts[-1]
        text = " ".join(p.text.strip() for p in ans.parts)
        value = _snippet(text, 0, len(text))
        conf = 0.45 + (0.3 if ans.topic else 0.0)
        if first.is_question:
            conf -= 0.2
        if sum(p.word_count for p in ans.parts) >= 4:
            conf += 0.1
        cand = Candidate(
            "qa",
            value,
            Evidence(first.start, last.end, ans.answerer, text if value == text.strip() else value),
            None,
            round(min(conf, 0.95), 3),
            {
                "question": _snippet(ans.question.text, 0, len(ans.question.text)),
                "asker": ans.question.asker or "",
                "answerer": ans.answerer or "",
                "field": ans.topic,
            },
        )
        self._store["qa"].add(_Entry(ans.seq, cand))

    def _add(self, cand: Candidate, *, date_at: int = -1, date_attr: str = "") -> None:
        self._seq += 1
        self._store[cand.kind].add(_Entry(self._seq, cand, date_at, date_attr))

    # -- kinds ---------------------------------------------------------------------------

    def _introductions(self, s: Sentence, view: _View, asr: bool) -> None:
        if s.text.rstrip().endswith("?"):
            return  # "Are you the VP of sales?" asks; it introduces nobody
        for intro in self._intro.find(s, view, asr):
            if not intro.name and not intro.title and not intro.responsibility:
                continue
            if intro.who == "self":
                # "my name is tomasz wojcik" / "and i'm the vice president of ...": ASR
                # splits one introduction over two sentences of the same turn.
                if intro.name:
                    self._last_self = (s.turn, intro.name)
                elif self._last_self[0] == s.turn:
                    intro.name = self._last_self[1]
            if intro.who == "self" and not (
                intro.name or intro.title or intro.organization or intro.responsibility
            ):
                continue
            conf = 0.35
            conf += 0.25 if intro.name else 0.0
            conf += 0.15 if intro.title else 0.0
            conf += 0.1 if intro.organization else 0.0
            conf += 0.1 if intro.ent else 0.0
            conf += 0.05 if intro.responsibility else 0.0
            attrs = {
                "name": intro.name,
                "title": intro.title,
                "organization": intro.organization,
                "who": intro.who,
                "introduced_by": s.speaker or "",
            }
            if intro.responsibility:
                attrs["responsibility"] = intro.responsibility
            if intro.in_passing:
                attrs["in_passing"] = "true"
            value, ev, _ = _quote(s, intro.at, intro.at + 1)
            self._add(Candidate("introduction", value, ev, None, round(min(conf, 0.95), 3), attrs))

    def _contacts(self, s: Sentence, low: str, view: _View) -> None:
        text = s.text
        found: list[tuple[str, str, int, float]] = []  # (normalized, type, char offset, conf)
        for m in _EMAIL_RE.finditer(text):
            found.append((m.group().lower().rstrip("."), "email", m.start(), 0.9))
        v = view.text
        if " dot " in v and not found:
            for m in _SPOKEN_EMAIL_RE.finditer(v):
                local = m.group("local")
                if local in _NOT_LOCAL:
                    continue
                if " " not in local and not _EMAIL_CONTEXT_RE.search(v[: m.start()]):
                    continue
                local = re.sub(r" (?:dot|period) ", ".", local)
                local = re.sub(r" underscore ", "_", local)
                local = re.sub(r" (?:dash|hyphen) ", "-", local)
                domain = re.sub(r" dot ", ".", m.group("domain")).replace(" ", "")
                email = f"{local}@{domain}.{m.group('tld')}"
                k = view.token_at(m.start())
                at = view.toks[k].idx if k < len(view.toks) else 0
                found.append((email, "email", at, 0.7))
        context = bool(_PHONE_CONTEXT_RE.search(low))
        for m in _PHONE_RE.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if len(digits) == 7 and not context:
                continue
            conf = 0.85 if context else 0.6
            found.append((_format_phone(digits), "phone", m.start(), conf))
        if context and not any(kind == "phone" for _, kind, _, _ in found):
            for digits, i, _j in _spoken_phone(view):
                found.append((_format_phone(digits), "phone", view.toks[i].idx, 0.6))
        if not found:
            return
        owner = self._contact_owner(s, view)
        seen: set[str] = set()
        for normalized, kind, at, conf in found:
            if normalized in seen:
                continue  # said twice in one breath ("it's 555-0142, 555-0142")
            seen.add(normalized)
            attrs = {"type": kind, "owner": owner}
            value, ev, _ = _quote(s, at, at + len(normalized))
            self._add(Candidate("contact", value, ev, normalized, conf, attrs))

    def _contact_owner(self, s: Sentence, view: _View) -> str:
        v = view.text
        asr = s.text == s.text.lower()
        m = _OWNER_NAMED_RE.search(v)
        if m:
            group = "n" if m.group("n") else "p"
            k = view.token_at(m.start(group))
            name, _ = _take_name(view, k, asr, max_tokens=2, known=self._known)
            if name and (not asr or name.split()[0].lower() in self._known):
                return name
        if _FIRST_PERSON_RE.search(v):
            return s.speaker or ""
        ans = self._answer
        if ans is not None and ans.turn == s.turn and ans.topic == "contact_information":
            return s.speaker or ""
        return ""

    def _owner_before(self, view: _View, pos: int, asr: bool) -> tuple[str, str]:
        """The subject just before a modal: ("self"|"we"|"you"|"name", owner name)."""
        toks = view.toks
        k = view.token_before(pos)
        if k < 0:
            return "", ""
        low = toks[k].lower
        if low in ("i", "we"):
            return ("self" if low == "i" else "we"), ""
        if low == "you":
            # A vocative before "you": "Noor, you'll send", "noor you'll get".
            j = k - 1
            if j >= 0 and toks[j].lower == ",":
                j -= 1
            name = self._name_ending_at(view, j, asr)
            return ("name", name) if name else ("you", "")
        if low in _SUBJECT_SKIP:
            return "", ""
        name = self._name_ending_at(view, k, asr)
        return ("name", name) if name else ("", "")

    def _name_ending_at(self, view: _View, j: int, asr: bool) -> str:
        toks = view.toks
        known = self._known
        if j < 0 or not _nameish(toks[j], asr, known):
            return ""
        first = j
        if first - 1 >= 0 and _nameish(toks[first - 1], asr, known):
            first -= 1
        name, end = _take_name(view, first, asr, max_tokens=2, known=known)
        if not name or end != j + 1:
            name, end = _take_name(view, j, asr, max_tokens=1, known=known)
            first = j
        if not name:
            return ""
        seen = name.split()[0].lower() in self._known
        if asr and not seen:
            return ""
        if not asr and not seen and toks[first].ent_type != "PERSON":
            return ""
        return name

    def _commitments(
        self, s: Sentence, view: _View, question: bool, dates: list[DateMatch]
    ) -> None:
        v = view.text
        asr = s.text == s.text.lower()
        hits: list[tuple[int, str, str, int, bool]] = []  # (verb pos, scope, owner, at, request)
        for m in _MODAL_RE.finditer(v):
            if question:
                continue
            scope, name = self._owner_before(view, m.start(), asr)
            if not scope:
                continue
            if m.group("modal") == "can" and scope not in ("self", "we"):
                continue
            hits.append((m.start("verb"), scope, name, m.start(), False))
        for m in _LET_ME_RE.finditer(v):
            if question:
                continue
            scope = "self" if m.group("us") == " me" else "we"
            hits.append((m.start("verb"), scope, "", m.start(), False))
        for m in _REQUEST_RE.finditer(v):
            name = self._vocative(view, m.start(), asr)
            hits.append((m.start("verb"), "name" if name else "you", name, m.start(), True))
        m2 = _NOTE_RE.match(v)
        if m2 and not question:
            name = self._name_at(view, m2.start("name"), asr)
            if name:
                hits.append((m2.start("verb"), "name", name, m2.start(), False))
        m3 = _ACTION_ITEM_RE.search(v)
        if m3:
            self._action_item(s, view, m3, asr, dates)
        seen: set[int] = set()
        for verb_at, scope, name, at, request in sorted(hits):
            if verb_at in seen:
                continue
            seen.add(verb_at)
            self._commitment(s, view, verb_at, scope, name, at, request, dates)

    def _vocative(self, view: _View, pos: int, asr: bool) -> str:
        """The name a request is addressed to: "Noor, can you ..." or "... , Noor?"."""
        k = view.token_before(pos)
        while k >= 0 and view.toks[k].lower in (",", "and", "so", "also", "okay", "ok"):
            k -= 1
        name = self._name_ending_at(view, k, asr)
        if name:
            return name
        toks = view.toks
        j = len(toks) - 1
        while j >= 0 and toks[j].lower in ("?", ".", "!"):
            j -= 1
        if j >= 1 and toks[j - 1].lower == ",":
            return self._name_ending_at(view, j, asr)
        return ""

    def _name_at(self, view: _View, pos: int, asr: bool) -> str:
        k = view.token_at(pos)
        name, _ = _take_name(view, k, asr, max_tokens=2, known=self._known)
        if not name:
            return ""
        if asr and name.split()[0].lower() not in self._known:
            return ""
        if (
            not asr
            and view.toks[k].ent_type != "PERSON"
            and name.split()[0].lower() not in (self._known)
        ):
            return ""
        return name

    def _action_text(self, v: str, start: int) -> str:
        rest = v[start:]
        m = _ACTION_END_RE.search(rest)
        action = rest[: m.start()] if m else rest
        if len(action) > 140:
            cut = action.rfind(" ", 0, 140)
            action = action[: cut if cut > 0 else 140]
        return action.strip(" ,")

    def _due(
        self, view: _View, verb_at: int, action_end: int, dates: list[DateMatch]
    ) -> tuple[str, str, int]:
        """(due ISO or "", due text, offset of a date still to resolve or -1).

        Only the action's own words count: in "I'll send X by Friday, and I'll schedule Y for
        November 6th" each promise has its own date.
        """
        toks = view.toks
        k = view.token_at(verb_at)
        origin = toks[k].idx if k < len(toks) else 0
        last = view.token_before(action_end)
        stop = toks[last].idx + len(toks[last].text) if last >= 0 else origin
        inside = [
            d for d in dates if origin <= d.start < stop + 12 and d.precision in ("day", "month")
        ]
        if inside:
            d = inside[0]
            norm = _date_normalized(d) or ""
            pending = -1 if (norm or d.year_explicit) else d.start
            return norm, d.text, pending
        m = _DUE_RE.search(view.text, verb_at, action_end + 12)
        if m:
            return "", m.group().strip(), -1
        return "", "", -1

    def _commitment(
        self,
        s: Sentence,
        view: _View,
        verb_at: int,
        scope: str,
        name: str,
        at: int,
        request: bool,
        dates: list[DateMatch],
    ) -> None:
        v = view.text
        k = view.token_at(verb_at)
        if k >= len(view.toks):
            return
        verb_tok = view.toks[k]
        lemma = verb_tok.lemma.lower()
        action = self._action_text(v, verb_at)
        if not action or _NOT_ACTION_RE.search(action):
            return
        if verb_tok.pos not in ("VERB", "AUX") and verb_tok.tag not in ("VB", "VBP"):
            return
        # A condition in the same clause makes it hypothetical ("if we get access we'll ...").
        clause_start = max(v.rfind(",", 0, at), v.rfind(".", 0, at), v.rfind("?", 0, at))
        if _CONDITIONAL_RE.search(v[clause_start + 1 : at]):
            return
        prefix = v[max(0, at - 16) : verb_at]
        can = bool(re.search(r"\bcan\b", prefix)) and not request
        if can and re.search(r"\bso (?:that )?(?:i|we) can\b", prefix):
            return  # "I'm recording so I can share it later": a purpose, not a promise
        action_end = verb_at + len(action)
        due, due_text, pending = self._due(view, verb_at, action_end, dates)
        strong = lemma in _STRONG_VERBS and not (lemma in _WEAK_ONLY and not due_text)
        if scope == "we" and lemma in _WE_WEAK:
            return  # "then we'll look at adoption": the agenda, not an action item
        if not strong and (not due_text or lemma in _LIGHT_VERBS):
            return
        if can and not due_text:
            return  # "we can train a model on your history" is a capability
        if len(action.split()) < 2 or (request and not strong):
            return
        conf = 0.45 + (0.2 if strong else 0.05) + (0.15 if due_text else 0.0)
        conf += {"name": 0.1, "we": -0.05, "you": -0.15}.get(scope, 0.0)
        if can:
            conf -= 0.15
        if _HEDGE_RE.search(v, max(0, at - 20), verb_at + 1):
            conf -= 0.15
        if re.match(r"\W*(?:if|unless|when|once|assuming)\b", v):
            conf -= 0.2  # "If something breaks, tell me and we'll work around it"
        if conf < 0.4:
            return
        owner = name if scope == "name" else (s.speaker or "") if scope in ("self", "we") else ""
        attrs = {
            "owner": owner,
            "due": due,
            "due_text": due_text,
            "action": action,
            "owner_scope": scope,
        }
        if scope == "you" and self._prev_speaker and self._prev_speaker != s.speaker:
            # "Can you send me the export?" with no name: most likely whoever spoke last.
            attrs["addressee"] = self._prev_speaker
        first_char = view.toks[view.token_at(at)].idx if view.token_at(at) < len(view.toks) else 0
        last = (
            first_char + len(action) if pending < 0 else max(first_char + len(action), pending + 1)
        )
        value, ev, shift = _quote(s, first_char, last)
        pending = pending - shift if pending >= 0 else -1
        cand = Candidate("commitment", value, ev, None, round(min(conf, 0.95), 3), attrs)
        self._add(cand, date_at=pending, date_attr="due" if pending >= 0 else "")

    def _action_item(
        self,
        s: Sentence,
        view: _View,
        m: re.Match[str],
        asr: bool,
        dates: list[DateMatch],
    ) -> None:
        who = m.group("who")
        if who in ("me",):
            owner = s.speaker or ""
        elif who in ("us", "you"):
            owner = ""
        else:
            owner = self._name_at(view, m.start("who"), asr) or ""
            if not owner:
                return
        rest = m.group("rest").strip(" .")
        action = self._action_text(rest, 0) if rest else ""
        if len(action.split()) < 2:
            action = _make_tidy(self._prev_text)
            if not action:
                return
            action = self._action_text(action, 0)
        due, due_text, pending = self._due(view, m.start(), len(view.text), dates)
        attrs = {
            "owner": owner,
            "due": due,
            "due_text": due_text,
            "action": action,
            "owner_scope": "name" if owner else "",
        }
        value, ev, shift = _quote(s, 0, len(s.text))
        pending = pending - shift if pending >= 0 else -1
        cand = Candidate("commitment", value, ev, None, 0.8, attrs)
        self._add(cand, date_at=pending, date_attr="due" if pending >= 0 else "")

    def _pain_answer(self, s: Sentence, low: str, question: bool) -> bool:
        """Is ``s`` part of the answer to a question asking for the pains?

        The answer is the next few sentences of the first person to reply; it ends when
        anyone else speaks (the asker acknowledging, a colleague taking over).
        """
        speaker = s.speaker or "?"
        asker, answerer, left = self._pain
        if question and _PAIN_QUESTION_RE.search(low):
            self._pain = (speaker, "", 5)
            return False
        if not left or speaker == asker:
            if speaker == asker and answerer:
                self._pain = ("", "", 0)  # the asker speaks again: the answer is over
            return False
        if answerer and speaker != answerer:
            self._pain = ("", "", 0)
            return False
        # Short replies ("Bill shock.", "Honestly, we were reactive.") do not use up the answer.
        self._pain = (asker, speaker, left - 1 if s.word_count >= 6 else left)
        return not question

    def _problem(
        self, s: Sentence, low: str, quantities: list[Quantity], *, pain: bool = False
    ) -> None:
        old_way = self._old_way_left > 0
        opens_old_way = bool(_OLD_WAY_RE.match(low))
        if opens_old_way:
            old_way, self._old_way_left = True, 4
        elif self._old_way_left:
            self._old_way_left -= 1
        if s.word_count < 6:
            return
        for ws, we in _windows(low, [m.start() for m in _PROBLEM_RE.finditer(low)] or [0]):
            part = low[ws:we]
            if _NOT_PROBLEM_RE.search(part) or _CHANGE_SENTENCE_RE.search(part):
                continue
            hits = _PROBLEM_RE.findall(part)
            score = sum(_PROBLEM_LEX.get(h, 0.0) for h in set(hits))
            if pain:
                # Said in answer to "what's not working?": a pain in the speaker's own words.
                hits.append("answer to a question about problems")
                score += 0.5
            measured = [
                q
                for q in quantities
                if ws <= q.start < we and q.kind in ("duration", "count", "money", "percent")
            ]
            if measured:
                score += 0.15
                cost = _COST_OF_TASK_RE.search(part)
                money_talk = any(q.kind == "money" for q in measured) and _NOT_PAIN_MONEY_RE.search(
                    part
                )
                if cost and "give or take" in part:
                    cost = None  # "1,900 drivers, give or take": a size, not a cost
                if cost and not _NOT_NOW_RE.search(part) and not money_talk:
                    hits.append(cost.group())
                    score += 0.3 if _RECURRING_RE.search(part) else 0.15
            if not hits or score < 0.2:
                continue
            if _WE_RE.search(part):
                score += 0.1
            if old_way:
                score += 0.2  # said while describing how things were before
            if opens_old_way and ws == 0:
                score += 0.15  # "Before <product>, ..." itself
            if _EXCLUDE_FUTURE_RE.search(part):
                score -= 0.15
            if round(score, 3) < 0.5:
                continue
            attrs = {"signals": ", ".join(sorted(set(hits)))[:120]}
            value, ev, _ = _quote(s, ws, we)
            conf = round(min(score, 0.95), 3)
            self._add(Candidate("problem", value, ev, None, conf, attrs))

    def _outcomes(self, s: Sentence, low: str, numbers: list[Quantity]) -> bool:
        """Measured results, one candidate per clause and category. True when any was found.

        ``numbers`` holds every quantity of the sentence, bare numbers included: "backlog
        dropped from 1,150 to around 400" and "71 are using it" carry no unit.
        """
        breaks = [m.start() for m in _CLAUSE_BREAK_RE.finditer(low)]
        context = self._answer_context(s)
        groups: dict[tuple[int, int, str], list[tuple[Quantity, float]]] = {}
        for q in numbers:
            if q.kind == "number" and q.value < 2:
                continue
            cs, ce = 0, len(low)
            for b in breaks:
                if b < q.start:
                    cs = b
                elif b >= q.end:
                    ce = b
                    break
            found = self._judge(q, low, cs, ce, context)
            if found is None:
                continue
            category, signal = found
            groups.setdefault((cs, ce, category), []).append((q, signal))
        for (cs, ce, category), items in groups.items():
            q, signal = items[0]
            left = low[cs : q.start]
            baseline = ""
            fm = re.search(r"\bfrom\s", left)
            if fm:
                for other in numbers:
                    if cs + fm.end() <= other.start < q.start:
                        baseline = other.normalized
                        break
            conf = 0.45 + signal
            if q.kind in ("percent", "money", "multiplier"):
                conf += 0.1
            if _WE_RE.search(low):
                conf += 0.05
            attrs = {
                "metric": q.normalized,
                "category": category,
                "kind": q.kind,
                "surface": q.text,
            }
            if baseline:
                attrs["baseline"] = baseline
            if len(items) > 1:
                attrs["metrics"] = "; ".join(i[0].normalized for i in items)
            value, ev, _ = _quote(s, cs, ce)
            conf = round(min(conf, 0.95), 3)
            self._add(Candidate("outcome", value, ev, q.normalized, conf, attrs))
        return bool(groups)

    def _answer_context(self, s: Sentence) -> str:
        """The question this sentence answers ("And ROI?"), for naming what a number is."""
        ans = self._answer
        if ans is not None and ans.turn == s.turn:
            return _lower(ans.question.text)
        return ""

    def _judge(
        self, q: Quantity, low: str, cs: int, ce: int, context: str
    ) -> tuple[str, float] | None:
        """(category, signal strength) when ``q`` is a measured result, else None."""
        left = low[cs : q.start]
        right = low[q.end : ce]
        near_right = " ".join(right.split()[:5])
        clause = low[cs:ce]
        # Run-on ASR clauses are long: a target word counts only close to the number.
        if _TARGET_RE.search(" ".join(left.split()[-10:])) or _TARGET_RE.search(near_right):
            return None
        if _CLAIM_RE.search(clause):
            return None
        if _BASELINE_RE.search(left[-70:]):
            return None
        if q.kind == "duration" and _TIME_WINDOW_RE.search(left[-30:]) and not _ROI_RE.search(left):
            return None
        if _DENOMINATOR_RE.search(low[max(0, q.start - 40) : q.start]):
            return None  # "90 of our 110 operators": the 110 is the whole, not the result
        before = [w for w in re.findall(r"[a-z'-]+", left[-120:]) if w not in _FILLERS][-10:]
        after = re.findall(r"[a-z'-]+", right[:60])[:6]
        local = " ".join(before[-3:]) + " " + " ".join(after[:3])
        win = q.kind == "money" and _WIN_RE.search(clause)
        if (
            not win
            and _PRICE_RE.search(local)
            and (q.kind != "percent" or re.search(r"\b(?:discount|uplift|price|fees?)\b", local))
        ):
            return None
        if q.kind == "count" and q.unit.lower().startswith(("seat", "licen")):
            return None
        # Usage reads past "and": "30 supervisors and leads look at it weekly".
        rest = low[q.end :]
        hard = _HARD_BREAK_RE.search(rest)
        rest = rest[: hard.start()] if hard else rest
        adoption = self._adoption(q, left, rest, clause)
        signal = self._signal(q, left, before, after, clause, low, context)
        if win:
            signal = max(signal, 0.25)
        if q.kind == "number" and signal < 0.25 and not adoption:
            return None  # a bare number is a result only after "to"/"down to" or as usage
        if signal <= 0 and not adoption:
            return None
        if adoption and signal <= 0:
            return "adoption", 0.15
        if q.kind == "count" and not adoption and q.unit.lower() in _SIZE_UNITS:
            return None  # "500 employees now", "across the 40 stores": size, not a result
        scope = left + " " + " ".join(right.split()[:6])
        return self._category(q, scope, context, adoption=adoption, win=bool(win)), signal

    def _adoption(self, q: Quantity, left: str, rest: str, clause: str) -> bool:
        """Is ``q`` a usage figure? ``rest`` is the sentence after it, up to a hard break."""
        if q.kind not in ("count", "percent", "number"):
            return False
        near = " ".join(rest.split()[:10])
        if q.kind == "percent" and re.match(r"\s*of (?:\w+ ){1,3}now\b", rest):
            return True  # "70% of members now file claims on their phone"
        if q.kind == "number":
            return bool(_ADOPT_VERB_RE.search(near)) or "using" in near.split()[:4]
        if re.match(r"\W*(?:\w+\W+){0,6}?to (?:actually )?(?:use|adopt|log in)\b", rest):
            return False  # "getting 60 store managers to actually use it" is the goal
        if _ADOPT_STRONG_RE.search(q.text.lower() + " " + near):
            return True
        if q.kind == "percent" and _ADOPT_NOUN_RE.search(" ".join(left.split()[-5:])):
            return True  # "adoption is at 82 percent", "weekly usage is up to 64%"
        return bool(_FREQUENCY_RE.search(near)) and not _SIZE_RE.search(left)

    def _signal(
        self,
        q: Quantity,
        left: str,
        before: list[str],
        after: list[str],
        clause: str,
        low: str,
        context: str,
    ) -> float:
        """How clearly ``q`` moved (0: no sign of change)."""
        if _TO_RESULT_RE.search(left) and (
            re.search(r"\bfrom\b", left) or set(before[-3:]) & {"down", "up", "dropped", "cut"}
        ):
            return 0.3  # "from nine hours to four minutes", "down to 40"
        if q.kind == "multiplier" and set(after[:2]) & {"faster", "return", "roi", "quicker"}:
            return 0.3
        if _BY_RE.search(left) and any(w in _STRONG_CHANGE for w in left.split()):
            return 0.25  # "we cut courier costs, you know, the rush orders, by $50,000"
        if any(w in _STRONG_CHANGE for w in before) or _PHRASAL_CHANGE_RE.search(left[-40:]):
            return 0.25
        if _UP_DOWN_RE.search(" ".join(before[-4:]) + " "):
            return 0.25
        if (
            "now" in before[-4:]
            and "right now" not in " ".join(before[-5:])
            and _EARLIER_RE.search(low[: q.start])
        ):
            return 0.2  # "it was over a month, and it's now about five days"
        if _LATER_BASELINE_RE.match(low[q.end : q.end + 90]):
            return 0.2  # "on-time reports are at 97%, and they were around 60% before"
        if _NO_LONGER_RE.match(low, q.end):
            return 0.25  # "about 1.6 gigalitres a year we're no longer losing"
        if set(after[:3]) & _DONE_PARTICIPLES:
            return 0.25  # "160 lawyer hours saved", "620 tonnes of CO2 avoided"
        if q.kind == "money" and after[:1] == ["worth"] and _SAVED_RE.search(low):
            return 0.2  # "160 hours saved ... that's about $52,000 worth of time"
        if (
            q.kind == "percent"
            and _NOW_AT_RE.search(left)
            and _BEFORE_PERCENT_RE.search(_lower(self._prev_text))
        ):
            return 0.2  # "Before go-live we were at 71 percent," / "now we're at 83 percent."
        if q.kind == "count":
            return 0.0  # a count moved only when said so strongly ("3 kinds of savings")
        if any(w in _CHANGE_BEFORE for w in before) or any(
            w in _CHANGE_AFTER and (w != "instead" or _INSTEAD_OF_AMOUNT_RE.search(clause))
            for w in after
        ):
            return 0.2
        if q.kind == "money" and after[:1] == ["more"]:
            return 0.2  # "$400,000 more in grant funding"
        if "worth" in before[-3:] and _CHANGE_NOUN_RE.search(clause):
            return 0.2  # "the drop from 5% to 3% is worth about $500,000 a year"
        if _ROI_RE.search(clause) and q.kind in ("multiplier", "percent", "duration", "money"):
            return 0.2
        if q.kind == "multiplier" and _ROI_RE.search(_lower(self._prev_text) + " " + context):
            return 0.2  # "What's the ROI?" ... "Our CFO put it at 2.5x."
        if q.kind == "duration" and _NOW_RESULT_RE.search(left) and self._trial_left > 0:
            return 0.1  # "in the pilot the query ran in about two minutes"
        return 0.0

    def _category(
        self, q: Quantity, clause: str, context: str, *, adoption: bool, win: bool
    ) -> str:
        if q.kind != "count" and (
            _ROI_RE.search(clause)
            or (q.kind in ("multiplier", "percent") and _ROI_RE.search(context))
            or (q.kind == "multiplier" and _ROI_RE.search(_lower(self._prev_text)))
        ):
            return "roi"
        if q.kind in ("money", "percent", "multiplier") and (win or _REVENUE_RE.search(clause)):
            return "revenue"
        if q.kind == "money":
            # Money that moved and is not revenue is money kept: "inventory down $1.5M",
            # "worth $900k a year in recovered capacity", "took out $200,000 a year".
            return "cost_savings"
        # A percentage of a cost ("rework costs are down 31%") is an improvement of a measure;
        # the money it is worth, said as money, is the saving.
        if adoption:
            return "adoption"
        return "improvement"

    def _quoted(self, s: Sentence, low: str) -> tuple[bool, int]:
        """Whether ``s`` is a quote the speaker offers, and where its words start.

        "You can say this: for the first time, ..." frames the next words (and up to two more
        sentences) as a quote; so does answering "anything we could quote you on?".
        """
        speaker = s.speaker or ""
        frame = _QUOTE_FRAME_RE.search(low)
        if frame:
            self._quote = (speaker, s.turn, 2)
            return True, frame.end()
        who, turn, left = self._quote
        if left > 0 and (speaker == who if who != "?" else s.turn != turn):
            if _NO_QUOTE_RE.search(low):
                self._quote = ("", -1, 0)  # "I'd have to check with legal"
                return False, 0
            # "Hmm. Okay." before the quote itself does not use up the sentences it may take.
            self._quote = (speaker, s.turn, left - 1 if s.word_count >= 4 else left)
            return True, 0
        if left > 0 and s.turn != turn:
            self._quote = ("", -1, 0)  # someone else spoke: the quote is over
        asks = s.is_question or low.rstrip().endswith("?") or low == s.text
        if asks and _QUOTE_ASK_RE.search(low):
            self._quote = ("?", s.turn, 3)  # whoever answers next is quoted
        return False, 0

    def _testimonial(self, s: Sentence, low: str, quote: tuple[bool, int]) -> None:
        quoted, at = quote
        if quoted and len(low[at:].split()) >= 5 and not s.is_question:
            value, ev, _ = _quote(s, at, len(s.text))
            if at and len(low) == len(s.text):
                said = s.text[at:].strip().strip('"“”')
                value = said[:1].upper() + said[1:]  # the quote, without "you can say this:"
            attrs = {"signals": "offered as a quote"}
            self._add(Candidate("testimonial", value, ev, None, 0.8, attrs))
            return
        if s.word_count < 6:
            return
        marks = [(m.start(), _TESTIMONIAL_LEX[m.group()]) for m in _TESTIMONIAL_RE.finditer(low)]
        if not marks:
            return
        if len(low) > _VALUE_LIMIT:
            # A long ASR run-on: judge the words around its strongest praise only.
            marks = [max(marks, key=lambda m: (m[1], -m[0]))]
        for ws, we in _windows(low, [pos for pos, _ in marks]):
            part = low[ws:we]
            hits = set(_TESTIMONIAL_RE.findall(part))
            if not hits or _NOT_TESTIMONIAL_RE.search(part):
                continue
            # Negation just before a positive word ("not great", "never been happy") undoes it.
            alternatives = "|".join(re.escape(h) for h in hits)
            if re.search(
                rf"\b(?:not|n't|never|nothing|hardly)\s(?:\w+\s)?(?:{alternatives})\b", part
            ):
                continue
            score = sum(_TESTIMONIAL_LEX.get(h, 0.0) for h in hits)
            if _THEIR_PEOPLE_RE.search(part):
                score += 0.2
            if _WE_RE.search(part):
                score += 0.15
            if _SPECIFIC_RE.search(part):
                score += 0.1
            words = len(part.split())
            if 8 <= words <= 60:
                score += 0.1
            if part.rstrip().endswith(('"', "\u201d")):
                score += 0.15  # read out as a quote
            if round(score, 3) < 0.6:
                continue
            attrs = {"signals": ", ".join(sorted(hits))[:120]}
            value, ev, _ = _quote(s, ws, we)
            conf = round(min(score, 0.95), 3)
            self._add(Candidate("testimonial", value, ev, None, conf, attrs))

    def _future_plan(self, s: Sentence, low: str, quantities: list[Quantity]) -> None:
        listed = self._goals_left > 0 and bool(_LIST_ITEM_RE.match(low))
        if _GOALS_INTRO_RE.search(low):
            self._goals_left = 6  # the next few numbered items are the goals
        elif self._goals_left:
            self._goals_left -= 1
        if s.word_count < 6 and not listed:
            return
        found: list[tuple[int, str, float]] = [
            (m.start(), m.group(), _PLAN_LEX[m.group()]) for m in _PLAN_RE.finditer(low)
        ]
        if listed:
            found.append((0, "an item of the goals just listed", 0.55))
        for m in _DESIRE_RE.finditer(low):
            verb = m.group("verb")
            if m.group("subj") in _NOT_PLAN_SUBJECTS:
                continue
            if verb in _PLAN_VERBS and not _NOT_DESIRE_RE.match(low, m.start("verb")):
                found.append((m.start(), m.group().strip(), 0.45))
        for m in _PROGRESSIVE_PLAN_RE.finditer(low):
            found.append((m.start(), m.group(), 0.35))
        if not found:
            return
        for ws, we in _windows(low, sorted(p for p, _, _ in found)):
            part = low[ws:we]
            if _NOT_PLAN_RE.search(part):
                continue
            inside = {(label, weight) for pos, label, weight in found if ws <= pos < we}
            if not inside:
                continue
            score = sum(weight for _, weight in inside)
            horizon = _PLAN_HORIZON_RE.search(part)
            if horizon:
                score += 0.15
            targets = [
                q
                for q in quantities
                if ws <= q.start < we
                and q.kind in ("percent", "money", "multiplier", "count", "duration")
            ]
            if targets:
                score += 0.1
            if _WE_RE.search(part):
                score += 0.1
            if round(score, 3) < 0.55:
                continue
            attrs = {"signals": ", ".join(sorted(label for label, _ in inside))[:120]}
            if horizon:
                attrs["horizon"] = horizon.group()
            if targets:
                attrs["metric"] = targets[-1].normalized
            value, ev, _ = _quote(s, ws, we)
            conf = round(min(score, 0.95), 3)
            self._add(Candidate("future_plan", value, ev, None, conf, attrs))

    def _anchor_date(self, cand: Candidate, d: DateMatch, norm: str | None) -> None:
        """A story told in order ("kicked off October 7th, 2024 ... live by November 15th ...
        wrapped January 31st, 2025"): a day said without its year is placed in the year that
        puts it nearest the last full date said a few sentences before, not in the call's
        most frequent year."""
        if d.year_explicit and d.precision == "day" and norm:
            self._anchor = (self._sentence_no, norm)
        elif norm is None and d.precision == "day":
            at, iso = self._anchor
            if iso and self._sentence_no - at <= _ANCHOR_SENTENCES:
                cand.attrs["anchor"] = iso

    def _date_follow_up(self, s: Sentence, low: str) -> None:
        """ "Today is March 4th, 2025. That's our official project start date.": the next
        sentence of the same turn names the event of a date said without one."""
        last = self._last_date
        self._last_date = None
        if last is None or last[0] != s.turn or not _THAT_IS_RE.match(low):
            return
        context = _date_context(low, 0, 0)
        if context:
            cand = last[1]
            cand.attrs["context"] = context
            cand.confidence = round(min(cand.confidence + 0.2, 0.95), 3)

    def _date(self, s: Sentence, low: str, d: DateMatch) -> None:
        context = _date_context(low, d.start, d.end)
        conf = 0.3
        conf += {"day": 0.2, "month": 0.1, "quarter": 0.1, "year": 0.0}[d.precision]
        conf += 0.2 if d.year_explicit else 0.0
        conf += 0.2 if context else 0.0
        attrs = {
            "precision": d.precision,
            "year_explicit": "true" if d.year_explicit else "false",
            "context": context,
            "surface": d.text,
        }
        if d.period:
            attrs["period_start"], attrs["period_end"] = d.period
        norm = _date_normalized(d)
        value, ev, shift = _quote(s, d.start, d.end)
        cand = Candidate("date", value, ev, norm, round(min(conf, 0.95), 3), attrs)
        if not context:
            self._last_date = (s.turn, cand)
        self._anchor_date(cand, d, norm)
        pending = d.start - shift if norm is None else -1
        self._add(cand, date_at=pending, date_attr="normalized" if pending >= 0 else "")

    def _quantity(self, s: Sentence, low: str, q: Quantity, question: bool) -> None:
        conf = 0.35 + (0.15 if q.kind in ("percent", "money", "multiplier") else 0.05)
        window = low[max(0, q.start - 40) : q.end + 30]
        if any(w in _CHANGE_BEFORE or w in _CHANGE_AFTER for w in re.findall(r"[a-z]+", window)):
            conf += 0.2
        if question:
            conf -= 0.15
        attrs = {"kind": q.kind, "unit": q.unit, "surface": q.text}
        value, ev, _ = _quote(s, q.start, q.end)
        self._add(Candidate("quantity", value, ev, q.normalized, round(min(conf, 0.95), 3), attrs))


_EXCLUDE_FUTURE_RE: Final = re.compile(
    r"\b(?:will|'ll|going to|gonna|plan|plans|planning|goal|target|next year|next quarter|"
    r"'d (?:want|propose|suggest|like)|would (?:want|propose|suggest|like)|if i|if we|if you)\b"
)


def _make_tidy(text: str) -> str:
    """Lower-case ``text`` without fillers and doubled words (for action texts)."""
    words: list[str] = []
    for word in _lower(text).split():
        bare = word.strip(",")
        if bare in _FILLERS:
            continue
        if words and bare == words[-1].strip(",") and bare.isalpha():
            continue
        words.append(word)
    return " ".join(words)


# A sentence that names what the previous one was: "That's our official start date."
_THAT_IS_RE: Final = re.compile(r"^\W*(?:and\s+)?(?:that's|that is|this is|which is|it's|it is)\b")


def _date_context(low: str, start: int, end: int) -> str:
    """The event a date belongs to: "go-live", "pilot", "contract end", "pilot start", ...

    The nearest event word in the same clause, within about 60 characters. A generic verb
    ("starts", "ends", "due") is joined to the nearest specific event when there is one: in
    "the pilot starts on May 5th" the date is the pilot's start.
    """
    named = _NAMES_THE_DATE_RE.match(low, end)
    if named and named.lastgroup:
        # "..., which is our official completion date", "... which is when we formally closed
        # the engagement": the speaker names the date outright.
        return _NAMED_DATE_EVENTS[named.lastgroup]
    lo = max(0, start - 70)
    hi = min(len(low), end + 60)
    # Stay inside the sentence-ish clause that holds the date.
    for m in _HARD_BREAK_RE.finditer(low, lo, start):
        lo = m.end()
    m_end = _HARD_BREAK_RE.search(low, end, hi)
    if m_end:
        hi = m_end.start()
    # "kicked off on October 7th, 2024, and wrapped on January 31st, 2025": an event in the
    # date's own clause wins over one in the clause before it.
    clause_lo = lo
    for m in _CLAUSE_BREAK_RE.finditer(low, lo, start):
        clause_lo = m.end()
    events = [
        m
        for m in _EVENT_RE.finditer(low, lo, hi)
        if m.lastgroup and not (m.start() < end and m.end() > start)
    ]
    after = _CLAUSE_BREAK_RE.search(low, end, hi)
    clause_hi = after.start() if after else hi
    own = [m for m in events if m.start() >= clause_lo and m.end() <= clause_hi]
    if own:
        events = own
    best: dict[bool, tuple[float, str]] = {}
    for m in events:
        if not m.lastgroup:
            continue
        # Words before the date bind tighter than words after it.
        dist = start - m.end() if m.end() <= start else (m.start() - end) * 1.5
        name = _EVENT_NAMES[m.lastgroup]
        generic = name in _GENERIC_EVENTS
        if generic not in best or dist < best[generic][0]:
            best[generic] = (dist, name)
    specific = best.get(False)
    general = best.get(True)
    if specific and general:
        return f"{specific[1]} {general[1]}"
    return (specific or general or (0.0, ""))[1]
