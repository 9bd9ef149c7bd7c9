"""Turns and chunks: bounded by words, overlap counted once."""

from __future__ import annotations

from customer_snapshot.io.cue import Cue
from customer_snapshot.nlp.chunking import iter_chunks, spoken_text


def cue(i: int, speaker: str | None, text: str) -> Cue:
    return Cue(str(i), float(i), float(i) + 0.9, text, text, speaker, {}, i, None)


def test_consecutive_cues_of_one_speaker_form_one_turn() -> None:
    cues = [cue(0, "A", "Hello there."), cue(1, "A", "Still me."), cue(2, "B", "Hi.")]
    chunks = list(iter_chunks(cues, chunk_size=500, overlap=100))
    assert [(c.speaker, c.turn, c.text) for c in chunks] == [
        ("A", 0, "Hello there. Still me."),
        ("B", 1, "Hi."),
    ]
    assert chunks[0].span_times(0, 5) == (0.0, 0.9)
    assert chunks[0].span_times(13, 22) == (1.0, 1.9)


def test_long_turn_is_cut_with_overlap_and_bounded() -> None:
    cues = [cue(i, None, f"word{i} " * 9 + f"end{i}.") for i in range(100)]  # 10 words each
    chunks = list(iter_chunks(cues, chunk_size=100, overlap=30))
    assert len(chunks) > 5
    assert all(len(c.text.split()) <= 130 for c in chunks)
    assert not chunks[0].own_from and chunks[1].own_from > 0
    assert [c.continues for c in chunks] == [True] * (len(chunks) - 1) + [False]
    # Every cue's text is owned by exactly one chunk.
    owned = []
    for c in chunks:
        for k, start in enumerate(c.starts):
            end = c.starts[k + 1] - 1 if k + 1 < len(c.starts) else len(c.text)
            if c.owns(start, end):
                owned.append(c.text[start:end])
    assert owned == [cu.text for cu in cues]


def test_on_cue_sees_every_cue_and_turn_numbers() -> None:
    seen: list[tuple[str, int]] = []
    cues = [cue(0, "A", "one"), cue(1, "B", "[Music]"), cue(2, "A", "two")]
    chunks = list(
        iter_chunks(cues, chunk_size=50, overlap=10, on_cue=lambda c, t, n: seen.append((t, n)))
    )
    assert seen == [("one", 0), ("", 1), ("two", 2)]
    assert [c.text for c in chunks] == ["one", "two"]


def test_spoken_text_drops_annotations() -> None:
    assert spoken_text("[crosstalk] so (laughs) we did it") == "so we did it"
    assert spoken_text("plain") == "plain"


def test_a_monster_cue_is_cut_below_spacys_limit() -> None:
    """One cue holding a whole transcript (1.2 million characters), or one "word" of 250,000
    characters: every chunk stays far below spaCy's max_length of 1,000,000 characters."""
    from customer_snapshot.io.cue import Cue
    from customer_snapshot.nlp.chunking import MAX_CHUNK_CHARS, iter_chunks

    words = " ".join(f"word{i % 97}" for i in range(200_000))
    cues = [
        Cue("1", 0.0, 600.0, words, words, "Ann", {}, 1),
        Cue("2", 600.0, 601.0, "x" * 250_000, "x" * 250_000, "Ann", {}, 5),
    ]
    chunks = list(iter_chunks(cues, chunk_size=500, overlap=100))
    assert max(len(c.text) for c in chunks) <= MAX_CHUNK_CHARS
    assert all(len(c.text.split()) <= 600 for c in chunks)  # chunk + overlap
    owned = sum(len(c.text[c.own_from :].split()) for c in chunks)
    assert owned == 200_000 + 3  # every word once (the long "word" in three pieces)
    assert chunks[0].times[0][0] == 0.0 and chunks[-1].times[-1][1] == 601.0
