"""Cues -> speaker turns -> chunks bounded by words, with overlap for context.

A *turn* is a run of consecutive cues by one speaker (a sentence split across cues is one
turn). spaCy sees *chunks*: pieces of a turn of at most ``chunk_size`` words (``CHUNK_SIZE``,
default 500), cut at a cue boundary, preferring a cue that ends a sentence. A chunk that
continues a turn starts with the last ``overlap`` words (``CHUNK_OVERLAP``, default 100) of
the previous chunk as context, so a sentence or a name cut at the boundary is still seen whole;
what lies in that repeated prefix is not counted again (see :meth:`Chunk.owns`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from customer_snapshot.io.cue import Cue

__all__ = ["Chunk", "iter_chunks", "spoken_text"]

# Non-speech annotations from captioners and ASR: [Music], [Applause], [crosstalk], (laughs).
_NON_SPEECH = re.compile(r"\[[^\]\n]{1,40}\]|\((?:laughs?|laughter|inaudible|crosstalk)\)", re.I)
_SENTENCE_END = re.compile(r"[.?!…][\"')\]]*\s*$")


def spoken_text(text: str) -> str:
    """Cue text without non-speech annotations.

    >>> spoken_text("[Music] thank you all [Applause]")
    'thank you all'
    """
    if "[" not in text and "(" not in text:
        return text
    return " ".join(_NON_SPEECH.sub(" ", text).split())


@dataclass(slots=True)
class Chunk:
    """A piece of one speaker turn, as handed to spaCy.

    Attributes:
        text: the text (overlap prefix + new cues, joined by single spaces).
        speaker, role: the turn's speaker.
        turn: turn index (0-based).
        starts: character offset of each cue in ``text`` (sorted).
        times: ``(start, end)`` seconds of each cue.
        own_from: characters before this offset repeat the previous chunk (context only).
        continues: the turn goes on in the next chunk.
        prev_cut: the previous chunk of this turn ended mid-sentence.
        cut: this chunk ends mid-sentence (only meaningful when ``continues``).
        first_chunk: the first chunk of its turn.
    """

    text: str
    speaker: str | None
    role: str | None
    turn: int
    starts: list[int] = field(default_factory=list)
    times: list[tuple[float, float]] = field(default_factory=list)
    own_from: int = 0
    continues: bool = False
    prev_cut: bool = False
    cut: bool = False
    first_chunk: bool = True

    def span_times(self, start_char: int, end_char: int) -> tuple[float, float]:
        """Start of the cue holding ``start_char``, end of the cue holding ``end_char - 1``."""
        i = max(0, bisect_right(self.starts, start_char) - 1)
        j = max(0, bisect_right(self.starts, max(start_char, end_char - 1)) - 1)
        return self.times[i][0], self.times[j][1]

    def owns(self, start_char: int, end_char: int) -> bool:
        """Whether a sentence at these offsets is counted in this chunk (not a neighbour).

        Sentences inside the repeated prefix belong to the previous chunk, unless that chunk
        was cut mid-sentence (then the sentence is seen whole only here). A sentence running
        into the end of a chunk that was cut mid-sentence is left to the next chunk.
        """
        if end_char <= self.own_from:
            return False
        if start_char < self.own_from and not self.prev_cut:
            return False
        return not (self.continues and self.cut and end_char >= len(self.text.rstrip()))


class _Piece:
    __slots__ = ("end", "start", "text", "words")

    def __init__(self, text: str, start: float, end: float) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.words = len(text.split())


def iter_chunks(
    cues: Iterable[Cue],
    *,
    chunk_size: int,
    overlap: int,
    on_cue: Callable[[Cue, str, int], None] | None = None,
) -> Iterator[Chunk]:
    """Group cues into turn chunks of at most ``chunk_size`` words (a longer cue stands alone).

    ``on_cue(cue, spoken_text, turn)`` is called for every cue (speaker statistics).
    """
    pending: list[_Piece] = []
    words = 0
    chars = 0
    speaker: str | None = None
    role: str | None = None
    turn = -1
    carry: list[_Piece] = []  # overlap context for the next chunk of the same turn
    prev_cut = False
    first_chunk = True

    def emit(continues: bool) -> Chunk:
        nonlocal carry, prev_cut, first_chunk
        parts = carry + pending
        texts: list[str] = []
        starts: list[int] = []
        times: list[tuple[float, float]] = []
        pos = 0
        own_from = 0
        for k, piece in enumerate(parts):
            if k == len(carry):
                own_from = pos
            starts.append(pos)
            times.append((piece.start, piece.end))
            texts.append(piece.text)
            pos += len(piece.text) + 1
        text = " ".join(texts)
        cut = continues and not _SENTENCE_END.search(pending[-1].text)
        chunk = Chunk(
            text, speaker, role, turn, starts, times, own_from, continues, prev_cut, cut,
            first_chunk,
        )  # fmt: skip
        if continues:
            # The last cues, up to `overlap` words, are repeated as context next time.
            tail: list[_Piece] = []
            n = 0
            n_chars = 0
            for piece in reversed(pending):
                if n + piece.words > overlap or n_chars + len(piece.text) > MAX_PIECE_CHARS:
                    break
                tail.append(piece)
                n += piece.words
                n_chars += len(piece.text) + 1
            carry = tail[::-1]
            prev_cut = cut
            first_chunk = False
        else:
            carry = []
            prev_cut = False
            first_chunk = True
        return chunk

    for cue in cues:
        text = spoken_text(cue.text)
        if cue.speaker != speaker or turn < 0:
            if pending:
                yield emit(continues=False)
                pending = []
                words = 0
                chars = 0
            speaker, role = cue.speaker, cue.role
            turn += 1
            carry = []
            prev_cut = False
            first_chunk = True
        if on_cue is not None:
            on_cue(cue, text, turn)
        if not text:
            continue
        for piece in _pieces(text, cue.start, cue.end, chunk_size):
            full = words + piece.words > chunk_size
            if pending and (full or chars + len(piece.text) > MAX_CHUNK_CHARS):
                # Cut before this piece; prefer the last one that ends a sentence, if near.
                cut_at = len(pending)
                for k in range(len(pending) - 1, max(0, len(pending) - 8), -1):
                    if _SENTENCE_END.search(pending[k - 1].text) and k > len(pending) // 2:
                        cut_at = k
                        break
                rest = pending[cut_at:]
                pending = pending[:cut_at]
                yield emit(continues=True)
                pending = rest
                words = sum(p.words for p in pending)
                chars = sum(len(p.text) + 1 for p in pending)
            pending.append(piece)
            words += piece.words
            chars += len(piece.text) + 1
    if pending:
        yield emit(continues=False)


MAX_PIECE_CHARS = 100_000  # far below spaCy's max_length (1,000,000 characters)
MAX_CHUNK_CHARS = 400_000  # a chunk of huge "words" stays below it too, with the overlap


def _pieces(text: str, start: float, end: float, max_words: int) -> Iterator[_Piece]:
    """A cue's text as pieces of at most ``max_words`` words and ``MAX_PIECE_CHARS`` characters.

    An ordinary cue is one piece. A monster cue (a whole transcript pasted into one caption)
    is cut at spaces, with its time shared out by length, so no chunk outgrows spaCy's limit.

    >>> [p.words for p in _pieces("a b c d e", 0.0, 5.0, 2)]
    [2, 2, 1]
    """
    if len(text) <= MAX_PIECE_CHARS and text.count(" ") < max_words:
        yield _Piece(text, start, end)
        return
    span = end - start
    total = len(text)
    at = 0
    while at < total:
        stop = min(total, at + MAX_PIECE_CHARS)
        # At most max_words words: the max_words-th space after `at`, if it comes sooner.
        spaces = 0
        k = at
        while k < stop:
            k = text.find(" ", k + 1, stop)
            if k < 0:
                break
            spaces += 1
            if spaces == max_words:
                stop = k
                break
        if stop < total and text[stop] != " ":
            back = text.rfind(" ", at + 1, stop)
            stop = back if back > at else stop  # no space at all: cut inside the "word"
        piece = text[at:stop].strip()
        if piece:
            t0 = start + span * at / total
            t1 = start + span * stop / total
            yield _Piece(piece, t0, t1)
        at = stop
        while at < total and text[at] == " ":
            at += 1
