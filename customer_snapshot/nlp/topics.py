"""Topic segments of a call, found one window at a time in bounded memory.

The method is Hearst's TextTiling block comparison ("TextTiling: Segmenting Text into
Multi-Paragraph Subtopic Passages", Computational Linguistics 23(1), 1997), reimplemented
over what the analyzer already has instead of calling
:class:`nltk.tokenize.texttiling.TextTilingTokenizer`:

- NLTK's tokenizer re-tokenises raw text with a per-character regular expression and
  compares blocks over its whole vocabulary at every gap; on a 2,800-word window it took
  about 90 µs a word (measured), a third to a half of what spaCy itself spends. Here a
  window of spaCy lemmas is compared with sliding block sums: about 2 µs a word.
- It needs paragraph breaks at least 100 characters apart and raises ``ValueError`` when
  it finds none, which is the normal case for an unpunctuated speech-to-text transcript.
  Here the units are pseudo-sentences of whole sentences (about ``unit_words`` words,
  closed early at a change of speaker), so any transcript works and every boundary maps
  back to a sentence and its time.
- It compares surface words; lemmas ("invoice"/"invoices") give a cleaner signal.

Memory: the segmenter holds one window of per-sentence term counts (no text), the unfinished
last segment of the previous window, at most ``max_topics`` finished segments with their top
terms, and a :class:`~customer_snapshot.nlp.bounded.SpaceSaving` of document frequencies.
None of it grows with the length of the call.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Final

from customer_snapshot.nlp.bounded import SpaceSaving
from customer_snapshot.nlp.phrases import (
    GENERIC_NOUNS,
    SpeakerWords,
    bracketed,
    is_content,
    term,
)
from customer_snapshot.nlp.types import Sentence

__all__ = ["Topic", "TopicSegmenter"]

# Top terms kept per finished segment: enough for similarity and keywords, and the reason a
# long segment costs no more memory than a short one.
_SEGMENT_TERMS: Final = 200
_NOUN_POS: Final = frozenset(("NOUN", "PROPN"))


@dataclass(frozen=True, slots=True)
class Topic:
    """One stretch of the call about one thing.

    Attributes:
        title: A short label built from the top keywords ("Invoice, billing, credit").
        start: Start of the segment's first sentence (seconds).
        end: End of its last sentence (seconds).
        keywords: The segment's most distinctive content lemmas, best first.

    >>> Topic("Invoice, credit, fee", 0.0, 95.25, ("invoice", "credit", "fee")).to_dict()
    {'title': 'Invoice, credit, fee', 'start': 0.0, 'end': 95.25,
     'keywords': ['invoice', 'credit', 'fee']}
    """

    title: str
    start: float
    end: float
    keywords: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The snapshot JSON form: ``{"title", "start", "end", "keywords"}``."""
        return {
            "title": self.title,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "keywords": list(self.keywords),
        }


@dataclass(slots=True)
class _Unit:
    """A pseudo-sentence: consecutive sentences with about ``unit_words`` words."""

    start: float
    end: float
    words: int = 0
    terms: Counter[str] = field(default_factory=Counter)  # content lemmas: for similarity
    nouns: Counter[str] = field(default_factory=Counter)  # keyword candidates


@dataclass(slots=True)
class _Segment:
    """A finished (or carried-over) segment: its span and its top terms."""

    start: float
    end: float
    words: int
    terms: Counter[str]
    nouns: Counter[str]
    # True when the segment began only because a window filled: a boundary nobody detected,
    # to be undone if the two sides turn out to be about the same thing.
    forced: bool = False

    @classmethod
    def of(cls, units: list[_Unit], *, forced: bool = False) -> _Segment:
        terms: Counter[str] = Counter()
        nouns: Counter[str] = Counter()
        for unit in units:
            terms.update(unit.terms)
            nouns.update(unit.nouns)
        return cls(
            start=min(u.start for u in units),
            end=max(u.end for u in units),
            words=sum(u.words for u in units),
            terms=_truncate(terms),
            nouns=_truncate(nouns),
            forced=forced,
        )

    def absorb(self, other: _Segment) -> None:
        """Become the union of ``self`` and the adjacent ``other``."""
        self.start = min(self.start, other.start)
        self.end = max(self.end, other.end)
        self.words += other.words
        self.terms = _truncate(self.terms + other.terms)
        self.nouns = _truncate(self.nouns + other.nouns)


def _truncate(counts: Counter[str]) -> Counter[str]:
    if len(counts) <= _SEGMENT_TERMS:
        return counts
    # most_common is stable, so equal counts keep first-seen order: deterministic.
    return Counter(dict(counts.most_common(_SEGMENT_TERMS)))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(c * large[t] for t, c in small.items() if t in large)
    if not dot:
        return 0.0
    norm = math.sqrt(sum(c * c for c in a.values()) * sum(c * c for c in b.values()))
    return dot / norm


class TopicSegmenter:
    """Split a call into topics as its sentences arrive.

    Call :meth:`add` for every sentence in time order, then :meth:`finish` once.

    Args:
        window_words: Words analysed at a time. Larger windows see longer-range structure
            and cost proportionally more memory (term counts, not text).
        max_topics: Most topics kept; beyond it the most similar neighbours merge.
        keywords: Keywords per topic.
        unit_words: Size of a pseudo-sentence, the grain of a boundary (Hearst's *w*).
        block_units: Pseudo-sentences compared on each side of a gap (Hearst's *k*).
        min_topic_words: Shortest topic reported; shorter stretches join a neighbour. A call
            shorter than twice this is one topic.
        df_capacity: Words whose document frequency is tracked for keyword weighting.

    Example::

        segmenter = TopicSegmenter()
        for sentence in sentences:
            segmenter.add(sentence)
        topics = segmenter.finish()  # [Topic("Invoice, charge, credit", 0.0, 95.2, ...), ...]
    """

    __slots__ = (
        "_df",
        "_docs",
        "_open",
        "_pending",
        "_pending_words",
        "_segments",
        "_sims",
        "_speakers",
        "_turn",
        "_window_forced",
        "block_units",
        "keywords",
        "max_topics",
        "min_topic_words",
        "unit_words",
        "window_words",
    )

    def __init__(
        self,
        *,
        window_words: int = 3000,
        max_topics: int = 40,
        keywords: int = 5,
        unit_words: int = 20,
        block_units: int = 6,
        min_topic_words: int = 100,
        df_capacity: int = 5000,
    ) -> None:
        if window_words < 1 or max_topics < 1 or unit_words < 1 or block_units < 1:
            raise ValueError("window_words, max_topics, unit_words, block_units must be >= 1")
        self.window_words = window_words
        self.max_topics = max_topics
        self.keywords = keywords
        self.unit_words = unit_words
        self.block_units = block_units
        self.min_topic_words = min_topic_words
        # Closed pseudo-sentences of the current window (the carried-over tail first).
        self._pending: list[_Unit] = []
        self._pending_words = 0
        self._open: _Unit | None = None
        self._turn: int | None = None
        self._segments: list[_Segment] = []
        # _sims[i]: cosine similarity of _segments[i] and _segments[i + 1].
        self._sims: list[float] = []
        # The last window ended with a cut no boundary asked for (see _process_window).
        self._window_forced = False
        # Sentence-level document frequency of keyword candidates, for TF-IDF keywords.
        self._df: SpaceSaving[str] = SpaceSaving(df_capacity)
        self._docs = 0
        self._speakers = SpeakerWords()

    # -- streaming --------------------------------------------------------------------

    def add(self, sentence: Sentence) -> None:
        """Take the next sentence of the call."""
        self._speakers.see(sentence.speaker)
        tokens = sentence.tokens
        words = 0
        terms: list[str] = []
        nouns: list[str] = []
        noise = bracketed(tokens)
        for k, tok in enumerate(tokens):
            if tok.pos in ("PUNCT", "SPACE", "SYM") or noise[k]:
                continue
            words += 1
            if not is_content(tok):
                continue
            if tok.pos in _NOUN_POS:
                norm = term(tok)
                terms.append(norm)
                if norm not in GENERIC_NOUNS:
                    # Keep the capitals of names ("Oracle") for display.
                    nouns.append(tok.text if tok.pos == "PROPN" and tok.lower == norm else norm)
            else:
                terms.append(tok.lemma.lower() if tok.lemma else tok.lower)
        if not words:
            return
        if nouns:
            self._docs += 1
            for noun in set(nouns):
                self._df.add(noun)

        unit = self._open
        new_turn = sentence.turn != self._turn
        self._turn = sentence.turn
        # A change of speaker is a natural place for a boundary: close a unit there once it
        # is half full, rather than mixing two speakers' words.
        if unit is not None and new_turn and unit.words * 2 >= self.unit_words:
            self._close_unit()
            unit = None
        if unit is None:
            unit = self._open = _Unit(sentence.start, sentence.end)
        unit.start = min(unit.start, sentence.start)
        unit.end = max(unit.end, sentence.end)
        unit.words += words
        unit.terms.update(terms)
        unit.nouns.update(nouns)
        if unit.words >= self.unit_words:
            self._close_unit()
        if self._pending_words >= self.window_words:
            self._process_window(final=False)

    def _close_unit(self) -> None:
        assert self._open is not None
        self._pending.append(self._open)
        self._pending_words += self._open.words
        self._open = None

    def finish(self) -> list[Topic]:
        """The topics of the call in time order (empty if it had no words).

        The segmenter is spent afterwards; start a new one for the next call.
        """
        if self._open is not None:
            self._close_unit()
        if self._pending:
            self._process_window(final=True)
        segments = self._segments
        # Contiguous topics make a timeline: where speakers overlap, end one topic where the
        # next begins instead of reporting overlapping stretches.
        for prev, nxt in pairwise(segments):
            prev.end = min(prev.end, max(nxt.start, prev.start))
        return [self._topic(seg) for seg in segments]

    def footprint(self) -> dict[str, int]:
        """What the segmenter holds now: each entry has a cap that does not grow with the call.

        ``window_words`` stays below the ``window_words`` option plus one pseudo-sentence (the
        carried-over tail of the previous window counts towards it); ``topics`` at most
        ``max_topics``; ``df_terms`` at most ``df_capacity``; ``segment_terms`` at most
        2 x 200 per topic.
        """
        return {
            "window_units": len(self._pending) + (self._open is not None),
            "window_words": self._pending_words + (self._open.words if self._open else 0),
            "topics": len(self._segments),
            "segment_terms": sum(len(s.terms) + len(s.nouns) for s in self._segments),
            "df_terms": len(self._df),
        }

    # -- segmentation -----------------------------------------------------------------

    def _process_window(self, *, final: bool) -> None:
        units = self._pending
        cuts = self._boundaries(units, open_end=not final)
        pieces = [units[a:b] for a, b in zip([0, *cuts], [*cuts, len(units)], strict=True)]
        carry: list[_Unit] = []
        if not final:
            # Carry the open-ended last piece into the next window, so a topic that crosses
            # the window edge is judged whole. A boundary close to the edge was judged on a
            # thin right-hand block: carry the piece before it too, to judge it again with
            # the next window's words. A carry is at most half a window; a longer one (a
            # long topic) is cut, and _append undoes the cut if both sides match.
            half = self.window_words // 2
            words = [sum(u.words for u in piece) for piece in pieces]
            if len(pieces) > 1 and words[-1] < self.min_topic_words and sum(words[-2:]) <= half:
                carry = [*pieces[-2], *pieces[-1]]
                del pieces[-2:]
            elif words[-1] <= half:
                carry = pieces.pop()
        for k, piece in enumerate(pieces):
            self._append(_Segment.of(piece, forced=k == 0 and self._window_forced))
        if pieces:
            self._window_forced = not final and not carry
        self._pending = carry
        self._pending_words = sum(u.words for u in carry)

    def _boundaries(self, units: list[_Unit], *, open_end: bool) -> list[int]:
        """Indexes of the units that start a new topic (Hearst's block comparison).

        Every topic must have ``min_topic_words``, except with ``open_end`` the last one,
        which continues into the next window.
        """
        total = sum(u.words for u in units)
        if len(units) < 4 or total < 2 * self.min_topic_words:
            return []
        gaps = len(units) - 1
        k = self.block_units
        # Sliding block sums: the left block gains the unit before the gap, the right
        # block loses it; each step touches only two units' terms.
        left: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for unit in units[1 : 1 + k]:
            right.update(unit.terms)
        scores: list[float] = []
        for gap in range(gaps):
            left.update(units[gap].terms)
            if gap >= k:
                _remove(left, units[gap - k].terms)
            if gap > 0:
                _remove(right, units[gap].terms)
                if gap + k < len(units):
                    right.update(units[gap + k].terms)
            scores.append(_cosine(left, right))
        smooth = _smooth(scores)
        depth = _depths(smooth)
        mean = sum(depth) / len(depth)
        spread = math.sqrt(sum((d - mean) ** 2 for d in depth) / len(depth))
        # Hearst's liberal cutoff (mean - sd/2) over-splits conversation, which drifts
        # constantly; require a depth clearly above the typical one.
        cutoff = max(mean + spread / 2, 0.1)
        words_before = [0]
        for unit in units:
            words_before.append(words_before[-1] + unit.words)
        chosen: list[int] = []
        for valley in sorted(range(gaps), key=lambda g: (-depth[g], g)):
            if depth[valley] <= cutoff:
                break
            # Smoothing finds the valley but blurs where its floor is: take the least
            # cohesive raw gap next to it.
            near = range(max(valley - 1, 0), min(valley + 2, gaps))
            gap = min(near, key=lambda g: (scores[g], abs(g - valley)))
            cut = gap + 1  # the unit after the gap opens the new topic
            if cut in chosen:
                continue
            edges = [0, *sorted([*chosen, cut]), len(units)]
            sizes = [words_before[b] - words_before[a] for a, b in pairwise(edges)]
            if open_end:
                sizes.pop()
            if all(size >= self.min_topic_words for size in sizes):
                chosen.append(cut)
        return sorted(chosen)

    def _append(self, segment: _Segment) -> None:
        segments = self._segments
        sims = self._sims
        if not segments:
            segments.append(segment)
            return
        sim = _cosine(segments[-1].terms, segment.terms)
        if segment.words < self.min_topic_words or (segment.forced and sim >= 0.25):
            segments[-1].absorb(segment)
            if sims:
                sims[-1] = _cosine(segments[-2].terms, segments[-1].terms)
        else:
            segments.append(segment)
            sims.append(sim)
        while len(segments) > self.max_topics:
            self._merge_cheapest()

    def _merge_cheapest(self) -> None:
        """Merge the adjacent pair that is cheapest to merge.

        The cost is dissimilarity times the size of the merged segment. Similarity alone
        snowballs: a growing segment's mixed vocabulary resembles every neighbour, until one
        topic covers most of the call; weighting by size keeps topics of comparable length.
        Similarities of neighbours are cached in ``_sims``, so a merge recomputes two.
        """
        segments = self._segments
        sims = self._sims
        best = min(
            range(len(sims)),
            key=lambda i: ((1.0 - sims[i]) * (segments[i].words + segments[i + 1].words), i),
        )
        segments[best].absorb(segments.pop(best + 1))
        del sims[best]
        if best > 0:
            sims[best - 1] = _cosine(segments[best - 1].terms, segments[best].terms)
        if best < len(sims):
            sims[best] = _cosine(segments[best].terms, segments[best + 1].terms)

    # -- labelling --------------------------------------------------------------------

    def _topic(self, segment: _Segment) -> Topic:
        keywords = self._keywords(segment)
        title = ", ".join(keywords[:3])
        title = title[:1].upper() + title[1:] if title else "Discussion"
        return Topic(title, segment.start, segment.end, keywords)

    def _keywords(self, segment: _Segment) -> tuple[str, ...]:
        docs = self._docs
        df = self._df
        floor = df.min_count
        scored: list[tuple[float, str]] = []
        speakers = self._speakers
        for noun, tf in segment.nouns.items():
            # Names of people who speak are not what a stretch is about; digits ("q4")
            # make poor keywords.
            if speakers.covers(noun) or not noun.replace("-", "").isalpha():
                continue
            # Sentence-level IDF: words said everywhere ("customer", "team") sink; the
            # segment share rewards words said mostly here rather than all through the call.
            freq = max(df.get(noun, floor), 1)
            idf = math.log((docs + 1) / (freq + 1)) + 1.0
            share = min(tf / freq, 1.0)
            scored.append(((1 + math.log(tf)) * idf * math.sqrt(share), noun))
        scored.sort(key=lambda sn: (-sn[0], sn[1]))
        return tuple(noun for _, noun in scored[: self.keywords])


def _remove(block: Counter[str], terms: Counter[str]) -> None:
    """Take ``terms`` out of ``block``, dropping emptied entries so blocks stay small."""
    for t, c in terms.items():
        left = block[t] - c
        if left > 0:
            block[t] = left
        else:
            del block[t]


def _smooth(scores: list[float]) -> list[float]:
    """Moving average over three gaps (Hearst smooths once with a small window)."""
    if len(scores) < 3:
        return list(scores)
    out = [scores[0]]
    out.extend(sum(scores[i - 1 : i + 2]) / 3 for i in range(1, len(scores) - 1))
    out.append(scores[-1])
    return out


def _depths(scores: list[float]) -> list[float]:
    """How deep each gap sits in its valley: climb to the peak on each side and sum."""
    n = len(scores)
    depths = [0.0] * n
    for i, score in enumerate(scores):
        left = score
        for j in range(i - 1, -1, -1):
            if scores[j] < left:
                break
            left = scores[j]
        right = score
        for j in range(i + 1, n):
            if scores[j] < right:
                break
            right = scores[j]
        depths[i] = (left - score) + (right - score)
    return depths
