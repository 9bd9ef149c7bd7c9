"""Where a company is and what it does, from how people describe their own organisation.

Two patterns people use on calls: a self-description ("we're a regional logistics company",
"we're in the insurance space", "as a healthcare SaaS provider") and a home base ("we're based
in Memphis, Tennessee", "our headquarters is in Erie", "we operate out of Boise, Idaho"). The
industry words are a general lexicon of sectors, not names from any transcript.
"""

from __future__ import annotations

import re

from customer_snapshot.nlp.types import Sentence

__all__ = [
    "INDUSTRY_TERMS",
    "customer_phrase",
    "industry_phrase",
    "location_phrase",
    "org_mentions",
    "side_rosters",
]

_ONE_WORD_SECTORS = (
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
    "waste recycling security cybersecurity biotechnology transit"
).split()
INDUSTRY_TERMS = [
    *_ONE_WORD_SECTORS,
    "life sciences",
    "legal services",
    "higher education",
    "public transit",
]
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
# "like everyone in legal services", "most firms in higher education": the speaker's sector.
_LIKE_ALL_IN = re.compile(
    r"\b(?:like (?:everyone|everybody|anyone|most (?:firms|companies|people|places|shops)|"
    r"every (?:firm|company|shop))|as (?:anyone|everyone) in) in\s+(?:the\s+)?(?P<mods>)"
    f"(?P<term>{_TERM_GROUP})\\b",
    re.I,
)
# "we run forty two restaurants", "we operate 9 hotels": the sector by what the company runs.
_RUN_MANY = re.compile(
    r"\bwe (?:run|operate|own|have) (?:about |around |over |nearly |almost )?(?:[\w-]+ ){1,3}?"
    r"(?P<term>restaurants|hotels|resorts|clinics|hospitals|pharmacies|schools|dealerships|"
    r"gyms|cafes|grocery stores|supermarkets|nursing homes|care homes|bakeries)\b",
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
    r"here in|(?:it's|it is)\s+(?:\w+\s+)?(?:snowing|raining|pouring|sunny|freezing|"
    r"boiling|hot|cold|warm|gorgeous|miserable)\s+(?:\w+\s+)?(?:here\s+)?in)\s+",
    re.I,
)
_PLACE_VERBS = frozenset(
    "is are was were it its always never just really also still which where when if as "
    "because so then there here now today".split()
)
# A street address said aloud (an email signature read out): its city and state or region.
_ADDRESS_RE = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w'-]*\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Drive|"
    r"Lane|Way|Place|Parkway|Terrace|Square|Court|Highway)\.?,\s+"
    r"(?P<city>[A-Z][\w'-]*(?:\s[A-Z][\w'-]*){0,2}),\s+(?P<region>[A-Z][\w'-]*(?:\s[A-Z][\w'-]*)?)"
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
        m = _LIKE_ALL_IN.search(text)
    if not m:
        many = _RUN_MANY.search(text)
        return _case(many.group("term")) if many else None
    raw = m.group("mods").lower().split()
    if any(w in ("our", "my", "their", "your", "its") for w in raw) or any(
        w.endswith("ing") and w not in INDUSTRY_TERMS for w in raw
    ):
        return None  # "we're managing our energy": an activity, not a sector
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
    address = _ADDRESS_RE.search(text)
    if address:  # an address read out: "Level 12, 88 Collins Street, Melbourne, Victoria 3000"
        return f"{address.group('city')}, {address.group('region')}"
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
        if w in _PLACE_STOP or "'" in w or w in _PLACE_VERBS:
            break  # "leeds it's always raining": the place ends before the next clause
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


# -- organisations named by their relation to the speaker --------------------------------------

# The speaker's own organisation: "here at Kestrel Bioscience", "we at Acme", "I work for Acme",
# "I run lab operations at Acme".
_OWN_ORG = re.compile(
    r"\b(?:here at|we (?:here )?at|(?:i|we) work (?:at|for)|i'm (?:with|at)|i am (?:with|at)|"
    r"(?:i|we) (?:run|lead|manage|head|oversee) [^.?!,]{1,40}? (?:at|for)|"
    r"(?:i'm|i am) (?:the|a|an) [^.?!,]{1,40}? (?:at|for))\s+",
    re.I,
)
# The organisation the speaker is talking to or about as the other party: "our third business
# review with Blue Heron", "thanks for having me back at Pembury Cole", "I look after the
# Aldermoor University account", "what were we solving for Copperkettle?".
_OTHER_ORG = re.compile(
    r"\b(?:(?:review|qbr|kickoff|kick-off|call|meeting|session|check-in|catch-up|partnership|"
    r"relationship|engagement|project|rollout|work|working|partnering) with|"
    r"solving for|(?<!i )(?<!we )(?:work|worked|working|done) for)\s+",
    re.I,
)
# "I look after the Aldermoor University account": the vendor's customer.
_ACCOUNT_ORG = re.compile(
    r"\b(?:look after|looks after|manage|manages|own|owns|run|runs|cover|covers) the\s+"
    r"(?=(?:[\w&'-]+\s+){1,4}account\b)",
    re.I,
)
# "thanks for having me back at Pembury Cole": the host, the other party of a visiting speaker.
_HOST_ORG = re.compile(
    r"\bthanks? (?:you )?for having (?:me|us)(?: back)?(?: here)?(?: at)?\s+", re.I
)
# "on the Blue Heron side", "the Copperkettle team": an organisation on one side of the call.
_SIDE_ORG = re.compile(r"\b(?:on|from) the\s+", re.I)
_SIDE_WORDS = frozenset("side team folks account crew".split())
# "So, Copperkettle Restaurant Group, we're based out of Calgary": the organisation first.
_TOPIC_ORG = re.compile(
    r"^(?:(?i:so|well|okay|ok|and|yeah|sure)[,.]?\s+)*(?P<org>(?:[A-Z][\w&'-]*\s?){1,5}),\s+"
    r"we(?:'re| are| run| have| do| operate)\b"
)
_NOT_ORG_WORDS = frozenset(
    """i we you they he she it the a an this that our your their my his her its us them
    today now here there call meeting team side account end moment time way office site
    phone line project board everyone everybody all both one other same first last next
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december week month year quarter morning
    afternoon evening day""".split()
)
_LOWER_STOP = frozenset(
    """and but so we our the a an with which where that who for since about right now um uh
    like you know of in on at to from is are was were be been it this they i me my your
    their account team side folks crew for last week today yesterday tomorrow""".split()
)


# "Cobalt Precision Components is in precision manufacturing.": an organisation described by
# its sector (the vendor's summary of its customer, or a self-description).
_DESCRIBED_ORG = re.compile(
    r"^(?:(?i:so|and|well|now)[,]?\s+)*(?P<org>[A-Z][\w&'-]*(?:\s+(?:[A-Z][\w&'-]*|&|of)){1,4})"
    r"\s+(?:is|are)\s+(?:a|an|in|one of)\s+(?P<rest>[^.?!]{0,60})"
)
_SECTOR_RE = re.compile(rf"\b(?:{_TERMS})\b", re.I)


def _org_run(text: str, start: int, *, lower: bool) -> str:
    """The organisation name starting at ``start``: capitalised words (clean text) or up to
    three content words (lower-case ASR); trailing "team"/"side"/"account" dropped."""
    rest = text[start:]
    if lower:
        words = []
        for w in re.findall(r"[a-z0-9][a-z0-9&'-]*", rest[:80]):
            if w in _LOWER_STOP or w in _NOT_ORG_WORDS:
                break
            words.append(w)
            if len(words) == 3:
                break
        return " ".join(w.capitalize() for w in words)
    m = re.match(r"(?:[A-Z][\w&'.-]*|&)(?:\s+(?:[A-Z][\w&'.-]*|&|of|and)){0,5}", rest)
    if not m:
        return ""
    words = m.group().split()
    while words and (words[-1] in ("&", "of", "and") or words[-1].lower() in _SIDE_WORDS):
        words.pop()
    if not words or words[0].lower() in _NOT_ORG_WORDS:
        return ""
    return " ".join(words).rstrip(".,'")


def org_mentions(text: str) -> list[tuple[str, str]]:
    """Organisations the sentence places on a side of the call, as ``(name, relation)``.

    ``relation`` is ``"own"`` (the speaker's organisation: "here at Kestrel Bioscience"),
    ``"other"`` (a party the speaker works with: "our review with Blue Heron"), ``"host"``
    (the organisation a visiting vendor serves: "thanks for having me at Pembury Cole", "I look
    after the Aldermoor University account"), ``"side"`` ("on the Blue Heron side") or
    ``"described"`` ("Cobalt Precision Components is in precision manufacturing").

    >>> org_mentions("I run lab operations here at Kestrel Bioscience.")
    [('Kestrel Bioscience', 'own')]
    >>> org_mentions("i look after the aldermoor university account")
    [('Aldermoor University', 'host')]
    >>> org_mentions("So, Copperkettle Restaurant Group, we're based out of Calgary.")
    [('Copperkettle Restaurant Group', 'own')]
    >>> org_mentions("Just for the notes, on the Blue Heron side we have Denise.")
    [('Blue Heron', 'side')]
    """
    lower = text == text.lower()
    found: list[tuple[str, str]] = []
    frames = ((_OWN_ORG, "own"), (_OTHER_ORG, "other"), (_HOST_ORG, "host"), (_ACCOUNT_ORG, "host"))
    for pattern, relation in frames:
        for m in pattern.finditer(text):
            org = _org_run(text, m.end(), lower=lower)
            if org:
                found.append((org, relation))
    for m in _SIDE_ORG.finditer(text):
        org = _org_run(text, m.end(), lower=lower)
        after = text[m.end() + len(org) :].split()[:1] if org else []
        sided = bool(after) and after[0].lower().strip(".,") in ("side", "team", "folks")
        if org and sided and not lower:
            found.append((org, "side"))
    if not lower:
        d = _DESCRIBED_ORG.match(text)
        if d and _SECTOR_RE.search(d.group("rest")):
            org = _org_run(text, d.start("org"), lower=False)
            if org and len(org.split()) >= 2:
                found.append((org, "described"))
        t = _TOPIC_ORG.match(text)
        if t:
            org = _org_run(text, t.start("org"), lower=False)
            if org and len(org.split()) >= 2:
                found.append((org, "own"))
    return found


# "On our side it's me and Hana, plus Josh Patel", "on your side it was the two of you plus
# Aaron Kwan": who the speaker puts on which side.
_SIDE_ROSTER = re.compile(r"\b(?:on|from) (?P<side>our|your|their) side\b", re.I)


def side_rosters(text: str) -> list[tuple[str, str]]:
    """``(side, words)`` for each "on our/your side ..." in ``text``: the words that follow,
    up to the next such phrase or the end of the sentence.

    >>> side_rosters("On our side it's me and Hana, and on your side, Ingrid and Femi.")
    [('our', " it's me and Hana, and "), ('your', ', Ingrid and Femi.')]
    """
    found = list(_SIDE_ROSTER.finditer(text))
    out = []
    for k, m in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(text)
        out.append((m.group("side").lower(), text[m.end() : end]))
    return out
