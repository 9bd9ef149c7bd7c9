"""Where a company is and what it does, from how people describe their own organisation.

Two patterns people use on calls: a self-description ("we're a regional logistics company",
"we're in the insurance space", "as a healthcare SaaS provider") and a home base ("we're based
in Memphis, Tennessee", "our headquarters is in Erie", "we operate out of Boise, Idaho"). The
industry words are a general lexicon of sectors, not names from any transcript.
"""

from __future__ import annotations

import re

from customer_snapshot.nlp.types import Sentence

__all__ = ["INDUSTRY_TERMS", "customer_phrase", "industry_phrase", "location_phrase"]

INDUSTRY_TERMS = (
    "manufacturing manufacturer foundry logistics freight trucking shipping transportation "
    "retail retailer grocery e-commerce ecommerce wholesale distribution distributor "
    "healthcare health hospital clinic pharmacy pharmaceutical pharma biotech medical "
    "insurance insurer reinsurance banking bank credit union fintech lending payments "
    "financial asset wealth accounting saas software technology tech telecom telecommunications "
    "utility utilities water energy electric power oil gas mining construction engineering "
    "architecture real estate property hospitality hotel restaurant food beverage agriculture "
    "farming education school district university college edtech government public sector "
    "nonprofit non-profit charity media publishing entertainment gaming automotive aerospace "
    "defense chemicals chemical semiconductor electronics apparel fashion cosmetics legal "
    "consulting staffing marketing advertising travel airline aviation maritime rail "
    "waste recycling security cybersecurity"
).split()
_TERMS = "|".join(sorted((re.escape(t) for t in INDUSTRY_TERMS), key=len, reverse=True))
_CONTAINER = (
    r"company|business|provider|firm|shop|organization|organisation|operator|group|"
    r"chain|network|system|platform|startup|co-?op|cooperative|outfit|player"
)
# "we're a (mid-size) (regional) logistics company", "we are an insurance carrier"
_TERM_GROUP = (
    f"(?:{_TERMS})"
    # "property and casualty insurance", "healthcare SaaS"
    f"(?:\\s+and\\s+[\\w-]+\\s+(?:{_TERMS})|\\s+(?:{_TERMS}))?"
)
_SELF = re.compile(
    r"\b(?:we(?:'re| are)|we're basically|we are basically|as|being|i work for|i'm with)\s+"
    r"(?:(?:a|an|the)\s+)?(?P<mods>(?:[\w-]+\s+){0,3}?)"
    f"(?P<term>{_TERM_GROUP})(?:\\s+(?:{_CONTAINER}))?\\b",
    re.I,
)
# "Acme Health is a healthcare SaaS company", "you're a logistics business", "they're a grocery
# chain" (a case study told by the vendor): a sector followed by
# a word for an organisation, so "it is a healthcare question" does not count.
_IS_A = re.compile(
    r"\b(?:is|you're|you are|they're|they are)\s+(?:a|an)\s+(?P<mods>(?:[\w-]+\s+){0,3}?)"
    f"(?P<term>{_TERM_GROUP})\\s+(?:{_CONTAINER})\\b",
    re.I,
)
# "we're in the insurance space / industry / business / sector"
_IN_SPACE = re.compile(
    r"\bwe(?:'re| are)\s+in\s+(?:the\s+)?(?P<mods>(?:[\w-]+\s+){0,2}?)(?P<term>"
    + _TERMS
    + r")\s+(?:space|industry|business|sector|world|vertical|market)\b",
    re.I,
)
_MOD_OK = re.compile(r"^(?:[a-z-]+\s+)*$", re.I)
_MOD_STOP = frozenset(
    "small big large huge mid midsize mid-size mid-sized regional national global local "
    "family-owned privately-held public private independent growing fast-growing "
    "really very pretty fairly basically mostly primarily just kind sort of like um uh "
    "the a an our".split()
)
# "based in", "headquartered in", "our headquarters and main hub are both here in", "your main
# plant is in", "we operate out of": a home-base word, a short stretch, then "in"/"out of".
_LOCATION_CUE = re.compile(
    r"\b(?:based|headquartered|headquarters|hq|head office|located|operate|operating|"
    r"main (?:office|plant|hub|campus|site|facility))\b[^.?!]{0,45}?\b(?:in|out of)\s+",
    re.I,
)
# Weaker cues, trusted only when a place entity follows at once: "we're in Erie,
# Pennsylvania", "two plants here in Grand Rapids", "we're out of Tacoma".
_PLACE_NEXT_CUE = re.compile(
    r"\b(?:(?:we're|we are|we’re)\s+(?:(?:all|both|mostly|actually)\s+)?(?:in|out of)|"
    r"here in)\s+",
    re.I,
)
_LOWER_PLACE = re.compile(r"^((?:[a-z][a-z'.-]+\s*){1,4})")
_PLACE_STOP = frozenset(
    "and but so we our the a an with which where that who for since about right now um uh "
    "like you know of in on at to from".split()
)


def industry_phrase(text: str) -> str | None:
    """The industry a speaker gives for their organisation, or ``None``.

    >>> industry_phrase("So we're a mid-size healthcare SaaS company based in Ohio.")
    'Healthcare SaaS'
    >>> industry_phrase("yeah we are in the insurance space mostly commercial")
    'Insurance'
    >>> industry_phrase("we're a property and casualty insurance carrier in the midwest")
    'Property and casualty insurance'
    >>> industry_phrase("For the record, Acme Health is a healthcare SaaS company in Ohio.")
    'Healthcare SaaS'
    >>> industry_phrase("We're a team of four.") is None
    True
    """
    m = _IN_SPACE.search(text) or _SELF.search(text) or _IS_A.search(text)
    if not m:
        return None
    mods = [w for w in m.group("mods").split() if w.lower() not in _MOD_STOP]
    # Keep a modifier that narrows the sector ("property and casualty", "water", "public").
    phrase_words = [*mods[-2:], *m.group("term").split()] if mods else m.group("term").split()
    phrase = " ".join(phrase_words)
    if not _MOD_OK.match(phrase + " "):
        return None
    return _case(phrase)


def _case(phrase: str) -> str:
    words = phrase.split()
    out = []
    for i, w in enumerate(words):
        if (w.isupper() and len(w) > 1) or w.lower() == "saas":
            out.append("SaaS" if w.lower() == "saas" else w)
        else:
            out.append(w.capitalize() if i == 0 else w.lower())
    return " ".join(out)


def location_phrase(sentence: Sentence) -> str | None:
    """Where the speaker's organisation is based, when the sentence says so.

    Uses the sentence's place entities after a "based in / headquartered in / out of" cue; in
    lower-case ASR text, where places are often not tagged, the words after the cue.
    """
    text = sentence.text
    m = _LOCATION_CUE.search(text)
    if not m:
        return _place_next(sentence)
    after = m.end()
    places = [(s, e, t) for t, label, s, e in sentence.ents if label == "GPE" and s >= after - 1]
    if places:
        places.sort()
        first_start, first_end, first = places[0]
        if first_start - after > 25:
            return None
        value = first
        if len(places) > 1:
            s2, _, second = places[1]
            if 0 <= s2 - first_end <= 3:
                value = f"{first}, {second}"
        return value
    if text != text.lower():
        return None
    lm = _LOWER_PLACE.match(text[after:])
    if not lm:
        return None
    words = []
    for w in lm.group(1).split():
        if w in _PLACE_STOP:
            break
        words.append(w.strip(".,"))
    if not words or len(words) > 4:
        return None
    return " ".join(w.capitalize() for w in words)


def _place_next(sentence: Sentence) -> str | None:
    """A place named right after a weak cue ("we're in Erie, Pennsylvania"), or ``None``."""
    places = sorted((s, e, t) for t, label, s, e in sentence.ents if label == "GPE")
    for m in _PLACE_NEXT_CUE.finditer(sentence.text):
        for k, (start, end, value) in enumerate(places):
            if start != m.end():
                continue
            if k + 1 < len(places) and 0 <= places[k + 1][0] - end <= 3:
                return f"{value}, {places[k + 1][2]}"
            return value
    return None


# "The customer is Hollis & Vine Grocers.", "our client here was Dunmore Freight": a vendor telling
# a customer story names the customer this way.
_CUSTOMER_IS = re.compile(
    r"\b(?:the|our|this|today's) (?:customer|client)(?: (?:here|today|in question|"
    r"we're talking about|i'm talking about))?,? (?:is|was)\s+",
    re.I,
)
_CAPITALISED_RUN = re.compile(r"(?:[A-Z][\w'.-]*|&)(?:\s+(?:[A-Z][\w'.-]*|&|of|and)){0,5}")


def customer_phrase(sentence: Sentence) -> str | None:
    """The customer organisation a sentence names ("The customer is Hollis & Vine Grocers.").

    The organisation entity right after the cue, or the capitalised words there.
    """
    text = sentence.text
    for m in _CUSTOMER_IS.finditer(text):
        for value, label, start, _ in sentence.ents:
            if label == "ORG" and start == m.end():
                return value.rstrip(".,")
        run = _CAPITALISED_RUN.match(text, m.end())
        if run:
            words = run.group().split()
            while words and words[-1] in ("&", "of", "and"):
                words.pop()
            if words and words[0] not in ("I", "A", "An", "The", "This", "That", "It"):
                return " ".join(words).rstrip(".,")
    return None
