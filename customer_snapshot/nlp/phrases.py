"""Key phrases of a call: cleaned noun chunks plus statistically strong collocations.

Two sources, because each fails where the other works:

- spaCy's noun chunks find "purchase order number" or "legacy database" in well-punctuated
  text, but speech-to-text output (no punctuation, no capitals) confuses the parser.
- Collocations need no parse: adjacent content words ("insurance claims") whose pair count
  is higher than their single counts predict. They are scored with NLTK's
  :class:`~nltk.metrics.association.BigramAssocMeasures` (Dunning's likelihood ratio), which
  only needs counts, so no NLTK data download is involved.

Every count lives in a :class:`~customer_snapshot.nlp.bounded.SpaceSaving` counter, so a
10-hour call costs the same memory as a 10-minute one. Phrases are keyed by a normal form
(lower case, nouns lemmatised: "benefits elections" -> ``benefit election``) and shown in
their most frequent surface form.

Transcript noise is filtered here, once: fillers ("um", "you know", "kind of"), bracketed
sound tags ("[crosstalk]", "(inaudible)"), speakers' names (PERSON entities), dates and
amounts (they belong to other extractors), and vague nouns ("thing", "lot", "time").
The word lists and :func:`term` are shared with :mod:`customer_snapshot.nlp.topics`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Final

from nltk.metrics.association import BigramAssocMeasures
from spacy.lang.en.stop_words import STOP_WORDS

from customer_snapshot.nlp.bounded import SpaceSaving
from customer_snapshot.nlp.types import Sentence, Token

__all__ = [
    "FILLERS",
    "GENERIC_NOUNS",
    "STOPWORDS",
    "KeyPhraseCounter",
    "SpeakerWords",
    "bracketed",
    "is_content",
    "term",
]

#: Words that carry no content in speech: fillers and social formulas ("thanks", "bye").
#: "like" and "okay" are here although they can be content words in writing; in a call
#: transcript they are nearly always fillers.
FILLERS: Final = frozenset(
    "um umm uh uhh uhm erm er ah ahh eh hmm hm mm mmm mhm mmhmm uh-huh huh yeah yea yep "
    "yup nope ok okay alright like gonna wanna gotta kinda sorta dunno y'know "
    "thanks thank bye goodbye hello hi hey cheers sorry please".split()
)

# spaCy's stop list (from the Glasgow IR list) includes words that name things in a business
# call: "front desk", "back office", "full time", "bottom line", "amount".
_MEANINGFUL: Final = frozenset("front back bottom full empty serious amount name top".split())

#: spaCy's English stop words plus the fillers, less :data:`_MEANINGFUL`: the explicit list
#: NLTK-style tools need, because NLTK's own stopword corpus cannot be downloaded here.
STOPWORDS: Final = (frozenset(STOP_WORDS) - _MEANINGFUL) | FILLERS

#: Nouns too vague to be a key phrase or a topic keyword on their own.
GENERIC_NOUNS: Final = frozenset(
    "thing things stuff lot lots bit bits kind kinds sort sorts way ways time times day days "
    "week weeks month months year years hour hours minute minutes second seconds people "
    "person guy guys folk folks question questions point points part parts side end idea "
    "ideas hand hands something anything everything nothing one ones today tomorrow yesterday "
    "morning afternoon evening number numbers example examples case cases fact sense team "
    "teams problem problems issue issues matter piece place start beginning moment call meeting "
    "conversation chat word words yes no sir ma'am mister percent".split()
)

# Opening adjectives that evaluate rather than describe ("great question", "big problem").
_EVALUATIVE: Final = frozenset(
    "good great nice big little quick huge awesome cool bad real whole different certain "
    "specific particular actual main major key important amazing excellent fantastic "
    "perfect interesting entire overall basic simple".split()
)

# Entity labels whose words belong to the date and quantity extractors, and names of people
# (speakers greet each other by name constantly; a name is not a key phrase).
_SKIP_ENTS: Final = frozenset("PERSON DATE TIME CARDINAL ORDINAL MONEY PERCENT QUANTITY".split())
_CONTENT_POS: Final = frozenset(("NOUN", "PROPN", "ADJ", "VERB"))
_NOUN_POS: Final = frozenset(("NOUN", "PROPN"))
_MODIFIER_TAGS: Final = frozenset(("VBG", "VBN"))  # "billing system", "shared drive"
_LEADING_ENTS: Final = _SKIP_ENTS - {"PERSON"}
# Three surface forms cover singular, plural and capitalised; more would only cost memory.
_MAX_FORMS: Final = 3
# Tokens that join the words of one name ("read-only", "Hollis & Vine"), not words.
_JOINERS: Final = frozenset("-&/")
_OPEN: Final = frozenset("[(")
_CLOSE: Final = frozenset("])")

#: Likelihood-ratio cutoff for a collocation: the chi-square 0.001 critical value (1 dof).
_LLR_CUTOFF: Final = 10.83


def term(tok: Token) -> str:
    """A token's normal form: the lemma for nouns (plural folds into singular), else lower.

    >>> from customer_snapshot.nlp.types import Token
    >>> term(Token("Charges", "charges", "charge", "NOUN", "NNS", "", 0, "", "O", 0, 0,
    ...            False, False))
    'charge'
    """
    lower = tok.lower
    lemma = tok.lemma
    # Only a lemma no longer than the word folds a plural ("charges" -> "charge"); a longer
    # one is a Latin singular nobody says in a call ("data" -> "datum", "criteria").
    if tok.pos in _NOUN_POS and lemma and len(lemma) <= len(lower):
        return lemma.lower()
    return lower


def bracketed(tokens: list[Token]) -> list[bool]:
    """Which tokens sit inside ``[...]`` or ``(...)``: sound tags such as ``[crosstalk]``.

    Captioners and ASR engines mark non-speech ("[music]", "(inaudible)") in brackets; an
    unclosed bracket runs to the end of the sentence, which errs on the side of dropping.
    """
    inside = [False] * len(tokens)
    depth = 0
    for k, tok in enumerate(tokens):
        text = tok.text
        if text in _OPEN:
            depth += 1
        elif text in _CLOSE:
            depth = max(depth - 1, 0)
            inside[k] = True
            continue
        inside[k] = depth > 0
    return inside


def _is_stop(tok: Token) -> bool:
    return tok.is_stop and tok.lower not in _MEANINGFUL


def is_content(tok: Token) -> bool:
    """A noun, proper noun, adjective or verb that is not a stop word, filler or number.

    PERSON names and date/amount entities are not content here: see ``_SKIP_ENTS``.
    """
    return (
        tok.pos in _CONTENT_POS
        and not _is_stop(tok)
        and not tok.like_num
        and tok.ent_type not in _SKIP_ENTS
        and tok.lower not in FILLERS
        and len(tok.lower) > 1
        and any(c.isalpha() for c in tok.lower)
    )


class SpeakerWords:
    """The words of the speakers' names seen so far, to keep names out of phrases and topics.

    The small English model misses many names (ASR writes them in lower case; "Janice" at a
    sentence start looks like anything), but the transcript's speaker labels name the
    people who talk most. Bounded: at most ``limit`` distinct speakers are remembered.

    >>> names = SpeakerWords()
    >>> names.see("Janice Ortiz (Plant Manager)")
    >>> names.covers("janice"), names.covers("ortiz janice"), names.covers("janice report")
    (True, True, False)
    """

    __slots__ = ("_seen", "limit", "words")

    def __init__(self, limit: int = 100) -> None:
        self.limit = limit
        self._seen: set[str] = set()
        self.words: set[str] = set()

    def see(self, speaker: str | None) -> None:
        """Note a speaker label ("Janice Ortiz", "Speaker 2")."""
        if not speaker or speaker in self._seen or len(self._seen) >= self.limit:
            return
        self._seen.add(speaker)
        self.words.update(w for w in _NAME_WORD.findall(speaker.lower()) if len(w) > 1)

    def covers(self, key: str) -> bool:
        """Whether every word of ``key`` (space-separated, lower case) is a name word."""
        words = key.lower().split()
        return bool(words) and all(w in self.words for w in words)


_NAME_WORD: Final = re.compile(r"[^\W\d_]+")


@dataclass(slots=True)
class _Forms:
    """How one key has been written: a few surface forms and how often it was a PROPN."""

    forms: dict[str, int] = field(default_factory=dict)
    proper: int = 0

    def add(self, surface: str, *, proper: bool) -> None:
        forms = self.forms
        if surface in forms:
            forms[surface] += 1
        elif len(forms) < _MAX_FORMS:
            forms[surface] = 1
        if proper:
            self.proper += 1

    def display(self) -> str:
        # max() keeps the first of equal counts, and dicts keep insertion order.
        return max(self.forms.items(), key=lambda fc: fc[1])[0]


@dataclass(slots=True)
class _Candidate:
    key: str
    count: int
    words: int
    display: str


def _join(tokens: list[Token], forms: list[str]) -> str:
    """Join token forms with the spacing of the original text ("read-only", not "read - only")."""
    out: list[str] = []
    last = len(tokens) - 1
    for k, tok in enumerate(tokens):
        out.append(forms[k])
        if k < last and tokens[k + 1].idx > tok.idx + len(tok.text):
            out.append(" ")
    return "".join(out)


def _surface(tok: Token) -> str:
    # Keep the writer's capitals only for names and acronyms ("Oracle", "SSO"), so that a
    # sentence-initial "Billing errors" and a mid-sentence "billing errors" are one form.
    text = tok.text
    if tok.pos == "PROPN" or (len(text) > 1 and text.isupper()):
        return text
    return tok.lower


class KeyPhraseCounter:
    """Count the key phrases of a call, one sentence at a time, in bounded memory.

    Args:
        capacity: Entries in each of the three counters (noun chunks, words, word pairs).
            Phrases rarer than about ``words / capacity`` may be missed.
        min_count: A phrase said fewer times is not reported.
        single_min_count: A one-word phrase that is not a proper noun must be said at least
            this often ("dashboard" said eight times is a key phrase; said twice it is not).
        merge_ratio: A phrase inside a longer reported phrase is dropped when the longer one
            is said at least this share as often ("late payment" vs "late payment fee").

    Example::

        counter = KeyPhraseCounter()
        for sentence in sentences:
            counter.add(sentence)
        counter.top(10)  # [("purchase order number", 4), ("legacy database", 3), ...]
    """

    __slots__ = (
        "_bigram_forms",
        "_bigrams",
        "_chunk_forms",
        "_chunks",
        "_speakers",
        "_unigrams",
        "merge_ratio",
        "min_count",
        "single_min_count",
    )

    def __init__(
        self,
        *,
        capacity: int = 5000,
        min_count: int = 2,
        single_min_count: int = 4,
        merge_ratio: float = 0.6,
    ) -> None:
        self.min_count = min_count
        self.single_min_count = single_min_count
        self.merge_ratio = merge_ratio
        self._chunk_forms: dict[str, _Forms] = {}
        self._bigram_forms: dict[str, _Forms] = {}
        self._chunks: SpaceSaving[str] = SpaceSaving(capacity, on_evict=self._drop_chunk)
        self._bigrams: SpaceSaving[str] = SpaceSaving(capacity, on_evict=self._drop_bigram)
        self._unigrams: SpaceSaving[str] = SpaceSaving(capacity)
        self._speakers = SpeakerWords()

    def _drop_chunk(self, key: str) -> None:
        del self._chunk_forms[key]

    def _drop_bigram(self, key: str) -> None:
        del self._bigram_forms[key]

    # -- counting ---------------------------------------------------------------------

    def add(self, sentence: Sentence) -> None:
        """Count the phrases and word pairs of one sentence."""
        self._speakers.see(sentence.speaker)
        tokens = sentence.tokens
        if not tokens:
            return
        noise = bracketed(tokens)
        content = [not noise[k] and is_content(t) for k, t in enumerate(tokens)]
        self._add_words(tokens, content)
        if sentence.noun_chunks:
            self._add_chunks(sentence, tokens, noise)

    def _add_words(self, tokens: list[Token], content: list[bool]) -> None:
        unigrams = self._unigrams
        bigrams = self._bigrams
        prev: Token | None = None
        prev_term = ""
        for k, tok in enumerate(tokens):
            if not content[k]:
                prev = None
                continue
            norm = term(tok)
            unigrams.add(norm)
            if (
                prev is not None
                and (
                    tok.pos in _NOUN_POS
                    # spaCy tags the gerund of a compound as a verb: "time tracking",
                    # "route planning"; a singular noun before it makes it a compound.
                    or (tok.tag == "VBG" and prev.tag == "NN")
                )
                and (prev.pos != "VERB" or prev.tag in _MODIFIER_TAGS)
                and norm != prev_term
                and norm not in GENERIC_NOUNS
                and prev.lower not in _EVALUATIVE
            ):
                # Keyed by the normal forms the unigram counter uses, so the marginals of
                # the likelihood ratio look up the same words.
                key = f"{prev_term} {norm}"
                bigrams.add(key)
                forms = self._bigram_forms.get(key)
                if forms is None:
                    forms = self._bigram_forms[key] = _Forms()
                forms.add(
                    f"{_surface(prev)} {_surface(tok)}",
                    proper=prev.pos == "PROPN" and tok.pos == "PROPN",
                )
            prev = tok
            prev_term = norm

    def _add_chunks(self, sentence: Sentence, tokens: list[Token], noise: list[bool]) -> None:
        starts = [t.idx for t in tokens]
        spans: list[tuple[int, int]] = []
        for _, _, start_char, end_char in sentence.noun_chunks:
            first = bisect_left(starts, start_char)
            stop = bisect_left(starts, end_char, first)
            # spaCy splits a firm name at its ampersand ("Hollis", "&", "Vine"): join the two
            # chunks, or the call's customer shows up as two half-names.
            if spans and spans[-1][1] + 1 == first and tokens[first - 1].text == "&":
                spans[-1] = (spans[-1][0], stop)
            else:
                spans.append((first, stop))
        for first, stop in spans:
            if any(noise[first:stop]):
                continue
            picked = _clean_chunk(tokens[first:stop])
            if picked is None:
                continue
            key = _join(picked, [term(t) for t in picked])
            self._chunks.add(key)
            forms = self._chunk_forms.get(key)
            if forms is None:
                forms = self._chunk_forms[key] = _Forms()
            forms.add(
                _join(picked, [_surface(t) for t in picked]),
                proper=all(t.pos == "PROPN" for t in picked if t.text not in _JOINERS),
            )

    # -- reporting --------------------------------------------------------------------

    def footprint(self) -> dict[str, int]:
        """Entries held by each internal structure (each at most ``capacity``)."""
        return {
            "chunks": len(self._chunks),
            "chunk_forms": len(self._chunk_forms),
            "unigrams": len(self._unigrams),
            "bigrams": len(self._bigrams),
            "bigram_forms": len(self._bigram_forms),
        }

    def collocations(self, n: int | None = None) -> list[tuple[str, float]]:
        """Word pairs said together more than chance predicts, best likelihood ratio first.

        Returns ``(key, score)`` for pairs said at least ``min_count`` times whose
        likelihood ratio passes the 0.001 significance level.
        """
        total = self._unigrams.total
        if total == 0:
            return []
        unigrams = self._unigrams
        floor = unigrams.min_count
        scored: list[tuple[str, float]] = []
        bigrams = self._bigrams
        for key in bigrams:
            # Lower bound for the pair, upper bounds for the words: errors can only make a
            # pair look less associated, never more.
            n_ii = bigrams.guaranteed(key)
            if n_ii < self.min_count:
                continue
            first, second = key.split(" ", 1)
            # A word evicted from the unigram counter was said at most `floor` times.
            n_ix = max(unigrams.get(first, floor), n_ii)
            n_xi = max(unigrams.get(second, floor), n_ii)
            score = float(BigramAssocMeasures.likelihood_ratio(n_ii, (n_ix, n_xi), total))
            if score >= _LLR_CUTOFF:
                scored.append((key, score))
        scored.sort(key=lambda ks: (-ks[1], ks[0]))
        return scored if n is None else scored[:n]

    def top(self, n: int = 20) -> list[tuple[str, int]]:
        """The ``n`` key phrases said most often, as ``(text, count)``, most frequent first.

        A phrase contained in a longer reported phrase said nearly as often is dropped in
        favour of the longer one.
        """
        # Report guaranteed counts (the estimate less its possible over-count): once the
        # counters are full, a flood of one-off phrases inflates every estimate, and a
        # snapshot must not claim a phrase was said more often than it surely was.
        found: dict[str, _Candidate] = {}
        chunks = self._chunks
        for key in chunks:
            count = chunks.guaranteed(key)
            if count < self.min_count:
                continue
            forms = self._chunk_forms[key]
            words = key.count(" ") + 1
            if words == 1 and count < self.single_min_count and forms.proper * 2 < count:
                continue
            found[key] = _Candidate(key, count, words, forms.display())
        for key, _ in self.collocations():
            count = self._bigrams.guaranteed(key)
            known = found.get(key)
            if known is None:
                found[key] = _Candidate(key, count, 2, self._bigram_forms[key].display())
            elif count > known.count:
                known.count = count
        # Names are judged at the end: a speaker may first talk long after being named.
        for key in [k for k in found if self._speakers.covers(k)]:
            del found[key]
        supers = _superphrases(found)
        kept = [
            c
            for c in found.values()
            if not any(s.count >= self.merge_ratio * c.count for s in supers.get(c.key, ()))
        ]
        kept.sort(key=lambda c: (-c.count, -c.words, c.key))
        out: list[tuple[str, int]] = []
        shown: set[str] = set()
        for cand in kept:
            if cand.display.lower() in shown:
                continue
            shown.add(cand.display.lower())
            out.append((cand.display, cand.count))
            if len(out) >= n:
                break
        return out


def _superphrases(found: dict[str, _Candidate]) -> dict[str, list[_Candidate]]:
    """Map each candidate key to the longer candidates that contain it.

    Phrases have at most four words, so listing each candidate's few sub-phrases is linear
    in the number of candidates, where comparing every pair would be quadratic.
    """
    index: dict[str, list[_Candidate]] = {}
    for cand in found.values():
        words = cand.key.split(" ")
        size = len(words)
        for length in range(1, size):
            for begin in range(size - length + 1):
                sub = " ".join(words[begin : begin + length])
                if sub in found:
                    index.setdefault(sub, []).append(cand)
    return index


def _clean_chunk(chunk: list[Token]) -> list[Token] | None:
    """The key-phrase part of a noun chunk, or ``None`` if nothing worth counting is left.

    Drops leading determiners, possessives ("our", "Marcus's"), pronouns, numbers, stop
    words, fillers and evaluative adjectives; keeps 1-4 words ending in a noun with no stop
    word inside.
    """
    # A possessor ("the customer's address") is not part of the thing named.
    for k in range(len(chunk) - 1, -1, -1):
        if chunk[k].tag == "POS":
            chunk = chunk[k + 1 :]
            break
    begin = 0
    end = len(chunk)
    while begin < end and not _opens_phrase(chunk[begin]):
        begin += 1
    while end > begin and chunk[end - 1].pos not in _NOUN_POS:
        end -= 1
    picked = chunk[begin:end]
    if not picked:
        return None
    words = 0
    for tok in picked:
        if tok.text in _JOINERS:
            continue
        if (
            _is_stop(tok)
            or tok.like_num
            or tok.lower in FILLERS
            or tok.pos in ("PUNCT", "SYM", "SPACE", "X")
            or not any(c.isalpha() for c in tok.text)
        ):
            return None
        words += 1
    if words > 4 or picked[0].text in _JOINERS:
        return None
    if all(t.ent_type in _SKIP_ENTS for t in picked if t.text not in _JOINERS):
        return None
    if words == 1 and (picked[0].lower in GENERIC_NOUNS or term(picked[0]) in GENERIC_NOUNS):
        return None
    return picked


def _opens_phrase(tok: Token) -> bool:
    return (
        (tok.pos in _NOUN_POS or tok.pos == "ADJ" or tok.tag in _MODIFIER_TAGS)
        and not _is_stop(tok)
        and not tok.like_num
        and tok.lower not in FILLERS
        and tok.lower not in _EVALUATIVE
        and tok.ent_type not in _LEADING_ENTS
    )
