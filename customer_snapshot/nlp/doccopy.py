"""Copy what the extractors need out of a spaCy ``Span`` into a plain :class:`Sentence`.

Called inside ``nlp.memory_zone()``: after the zone closes, the Doc's strings may be gone, so
only Python ``str``/``int``/``float`` values are kept.
"""

from __future__ import annotations

from typing import Any

from customer_snapshot.nlp.types import Sentence, Token

__all__ = ["copy_sentence"]


def copy_sentence(
    span: Any,
    *,
    speaker: str | None,
    role: str | None,
    start: float,
    end: float,
    turn: int,
    index_in_turn: int,
) -> Sentence:
    """Turn a spaCy sentence ``Span`` into a :class:`Sentence` of plain values."""
    offset = span.start_char
    first = span.start
    tokens = [
        Token(
            str(t.text),
            str(t.lower_),
            str(t.lemma_),
            str(t.pos_),
            str(t.tag_),
            str(t.dep_),
            int(t.head.i - first) if span.start <= t.head.i < span.end else int(t.i - first),
            str(t.ent_type_),
            str(t.ent_iob_),
            int(t.idx - offset),
            int(t.i - first),
            bool(t.is_stop),
            bool(t.like_num),
        )
        for t in span
    ]
    ents = [
        (str(e.text), str(e.label_), int(e.start_char - offset), int(e.end_char - offset))
        for e in span.ents
    ]
    chunks: list[tuple[str, str, int, int]] = []
    doc = span.doc
    if doc.has_annotation("DEP"):
        for nc in span.noun_chunks:
            chunks.append(
                (
                    str(nc.text),
                    str(nc.root.lemma_),
                    int(nc.start_char - offset),
                    int(nc.end_char - offset),
                )
            )
    del doc
    return Sentence(
        text=str(span.text),
        speaker=speaker,
        role=role,
        start=float(start),
        end=float(end),
        turn=turn,
        index_in_turn=index_in_turn,
        tokens=tokens,
        ents=ents,
        noun_chunks=chunks,
    )
