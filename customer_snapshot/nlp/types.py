"""Plain data that leaves the NLP stage: no spaCy object survives a chunk.

The analyzer copies what each extractor needs out of spaCy's ``Doc`` into these small,
slotted records inside ``nlp.memory_zone()``; everything downstream (extractors, the snapshot
builder, renderers) sees only strings and numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["Candidate", "Evidence", "Sentence", "Token"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where something was said: the moment, the speaker and the words."""

    start: float
    end: float
    speaker: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        """The snapshot JSON form."""
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "speaker": self.speaker,
            "text": self.text,
        }


class Token(NamedTuple):
    """One token of a sentence, copied out of spaCy.

    ``i`` is the index within the sentence and ``head`` the index of its syntactic head within
    the sentence (itself for the root); ``idx`` is the character offset within the sentence.
    """

    text: str
    lower: str
    lemma: str
    pos: str
    tag: str
    dep: str
    head: int
    ent_type: str
    ent_iob: str
    idx: int
    i: int
    is_stop: bool
    like_num: bool


@dataclass(slots=True)
class Sentence:
    """A sentence (or a piece of a run-on ASR sentence) with its speaker and times.

    Attributes:
        text: the sentence as said (plain text).
        speaker: who said it, ``None`` when the transcript does not say.
        role: the speaker's role from a ``Name (Role):`` label, if any.
        start: start of the first cue the sentence touches (seconds).
        end: end of the last cue the sentence touches (seconds).
        turn: index of the speaker turn it belongs to (0-based, increasing).
        index_in_turn: 0 for the first sentence of its turn.
        tokens: the tokens, copied out of spaCy.
        ents: named entities as ``(text, label, start_char, end_char)`` within ``text``.
        noun_chunks: base noun phrases as ``(text, root_lemma, start_char, end_char)``.
    """

    text: str
    speaker: str | None
    role: str | None
    start: float
    end: float
    turn: int
    index_in_turn: int
    tokens: list[Token] = field(default_factory=list)
    ents: list[tuple[str, str, int, int]] = field(default_factory=list)
    noun_chunks: list[tuple[str, str, int, int]] = field(default_factory=list)

    @property
    def is_question(self) -> bool:
        """Ends with a question mark, or (unpunctuated ASR) opens like a question."""
        stripped = self.text.rstrip()
        if stripped.endswith("?"):
            return True
        if not stripped or stripped[-1] in ".!":
            return False
        first = self.tokens[0].lower if self.tokens else ""
        return first in _QUESTION_OPENERS

    @property
    def evidence(self) -> Evidence:
        """This sentence as evidence."""
        return Evidence(self.start, self.end, self.speaker, self.text)

    @property
    def word_count(self) -> int:
        """Words, not counting punctuation."""
        return sum(1 for t in self.tokens if t.pos not in ("PUNCT", "SPACE"))


_QUESTION_OPENERS = frozenset(
    "what where when who whom whose which why how is are do does did can could would will "
    "should shall have has may".split()
)


@dataclass(slots=True)
class Candidate:
    """A candidate fact found in the call, with its evidence.

    Attributes:
        kind: what it is: ``date``, ``quantity``, ``qa``, ``introduction``, ``commitment``,
            ``problem``, ``outcome``, ``testimonial``, ``future_plan``, ``contact``,
            ``product``, ...
        value: the text a reader sees (usually the sentence or the answer).
        normalized: a machine form (ISO date, ``42%``, an email), or ``None``.
        confidence: 0..1, how sure the extractor is.
        evidence: where it was said.
        attrs: extra string facts (``owner``, ``due``, ``question``, ``name``, ``title``,
            ``organization``, ``metric`` ...).
    """

    kind: str
    value: str
    evidence: Evidence
    normalized: str | None = None
    confidence: float = 0.5
    attrs: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "value": self.value,
            "normalized": self.normalized,
            "confidence": round(self.confidence, 3),
            "evidence": [self.evidence.to_dict()],
            "attrs": dict(self.attrs),
        }
