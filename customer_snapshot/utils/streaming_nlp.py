"""``MemoryEfficientNLPProcessor``: spaCy over text of any length, one bounded chunk at a time.

The memory spec's example::

    processor = MemoryEfficientNLPProcessor()
    for chunk_result in processor.process_text_streaming(large_text):
        handle_entities(chunk_result["entities"])

How :meth:`~MemoryEfficientNLPProcessor.process_text_streaming` keeps memory flat without
cutting a word or a sentence in half: it takes the next ``CHUNK_SIZE`` words of the text
(cut between two words), lets spaCy split them into sentences, and reports every sentence but
the last one, which may run on past the cut. That last sentence starts the next chunk, so it
is parsed again with the words that follow it and is reported whole, once. A chunk holding a
single sentence longer than ``CHUNK_SIZE`` words grows by ``CHUNK_SIZE`` words until the
sentence ends; only a "sentence" longer than ``max_sentence_words`` (unpunctuated speech
recognition output) is cut, at a word, and that chunk says so (``forced_cut``).

Transcripts go through :meth:`~MemoryEfficientNLPProcessor.process_transcript_streaming`: the
streaming reader, the analyzer's speaker-turn chunker (:mod:`customer_snapshot.nlp.chunking`)
and ``nlp.pipe`` in memory-aware batches; :meth:`~MemoryEfficientNLPProcessor.analyze` runs the
full analysis (:func:`customer_snapshot.pipeline.run_analysis`).

The spaCy pipeline is loaded on first use (the process-wide cached one,
:func:`customer_snapshot.nlp.model.load_model`), every chunk is parsed inside
``nlp.memory_zone()``, and only plain ``str``/``int``/``float`` values leave it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, TYPE_CHECKING, Any

from customer_snapshot.config import Config
from customer_snapshot.memory.optimizer import MemoryOptimizer, PeriodicCollector
from customer_snapshot.memory.rss import effective_limit_mb, rss_mb
from customer_snapshot.memory.sizing import adaptive_batch_size, strategy_for_size

if TYPE_CHECKING:
    from customer_snapshot.io.reader import Source
    from customer_snapshot.nlp.analysis import Analysis
    from customer_snapshot.nlp.model import LoadedModel

__all__ = ["MemoryEfficientNLPProcessor"]

log = logging.getLogger(__name__)

PIECE_CHARS = 16 * 1024  # a str input is consumed in slices of this many characters
_WORD = re.compile(r"\S+")


def _pieces(text: str | Iterable[str]) -> Iterator[str]:
    """The text in pieces; an iterable's pieces are concatenated as they are (file blocks)."""
    if isinstance(text, str):
        for i in range(0, len(text), PIECE_CHARS):
            yield text[i : i + PIECE_CHARS]
        return
    for piece in text:
        if not isinstance(piece, str):
            raise TypeError(f"expected str pieces of text, got {type(piece).__name__}")
        yield piece


def _cut_after(buf: str, words: int) -> int | None:
    """The offset just after the ``words``-th word of ``buf``, once that word is complete.

    A word is complete when whitespace follows it in ``buf``; the last word of the buffer may
    continue in the next piece, so it never ends a chunk.

    >>> _cut_after("one two three", 2), _cut_after("one two", 2), _cut_after("one two ", 2)
    (7, None, 7)
    """
    for n, m in enumerate(_WORD.finditer(buf), 1):
        if n == words:
            return m.end() if m.end() < len(buf) else None
    return None


def _zone(nlp: Any) -> contextlib.AbstractContextManager[Any]:
    zone = getattr(nlp, "memory_zone", None)  # spaCy >= 3.8
    return zone() if zone is not None else contextlib.nullcontext()


def _sentences(doc: Any) -> list[Any]:
    if doc.has_annotation("SENT_START"):
        return list(doc.sents)
    return [doc[:]]  # a pipeline without parser, senter or sentencizer: one sentence


def _words(span: Any) -> int:
    return sum(1 for t in span if not t.is_punct and not t.is_space)


class MemoryEfficientNLPProcessor:
    """Chunked spaCy processing with a lazily loaded model and bounded memory.

    Args:
        config: settings: ``CHUNK_SIZE`` (words per chunk), ``CHUNK_OVERLAP`` (transcripts),
            ``SPACY_MODEL``, ``GC_FREQUENCY`` (``gc.collect()`` every N sentences or cues),
            ``MEMORY_LIMIT_MB`` (batch sizes shrink as memory nears it) and ``low_memory``.
            Default ``Config()``.
        chunk_size: words per chunk (default ``config.chunk_size``).
        max_sentence_words: a sentence longer than this is cut at a word (default: ten
            chunks' worth).
        optimizer: the :class:`MemoryOptimizer` :meth:`cleanup` uses (default: a new one).

    Attributes:
        stats: running totals: ``chunks``, ``sentences``, ``words``, ``entities``,
            ``forced_cuts``, ``gc_collections``.
    """

    def __init__(
        self,
        config: Config | None = None,
        *,
        chunk_size: int | None = None,
        max_sentence_words: int | None = None,
        optimizer: MemoryOptimizer | None = None,
    ) -> None:
        self.config = config or Config()
        self.chunk_size = int(chunk_size or self.config.chunk_size)
        if self.chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self.max_sentence_words = int(max_sentence_words or 10 * self.chunk_size)
        if self.max_sentence_words < self.chunk_size:
            raise ValueError("max_sentence_words must be at least chunk_size")
        self.optimizer = optimizer or MemoryOptimizer(self.config)
        self._model: LoadedModel | None = None
        self._collector = PeriodicCollector(self.config.gc_frequency)
        self.stats: dict[str, int] = dict.fromkeys(
            ("chunks", "sentences", "words", "entities", "forced_cuts", "gc_collections"), 0
        )

    # -- the model ---------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """Whether the spaCy pipeline has been loaded yet (it is, on first use)."""
        return self._model is not None

    @property
    def model(self) -> LoadedModel:
        """The spaCy pipeline and how it was chosen, loaded on first use."""
        if self._model is None:
            from customer_snapshot.nlp.model import load_model

            self._model = load_model(self.config.spacy_model)
        return self._model

    @property
    def nlp(self) -> Any:
        """The spaCy ``Language``, loaded on first use."""
        return self.model.nlp

    def cleanup(self) -> float:
        """Drop the model (from this object and the process-wide cache), clear caches, collect.

        Returns:
            MB of resident memory freed (see :meth:`MemoryOptimizer.cleanup_resources`).
        """
        from customer_snapshot.nlp.model import clear_model_cache

        self._model = None
        clear_model_cache()
        return self.optimizer.cleanup_resources()

    def _tick(self, n: int) -> None:
        if self._collector.tick(n):
            self.stats["gc_collections"] += 1

    # -- plain text --------------------------------------------------------------------------

    def process_text_streaming(self, text: str | Iterable[str]) -> Iterator[dict[str, Any]]:
        """Analyse ``text`` a chunk at a time, yielding one plain result per chunk.

        Args:
            text: a string, or an iterable of string pieces concatenated as they are (an open
                text file works: ``process_text_streaming(open("call.txt"))``).

        Yields:
            Dicts with ``index``; ``start_char``/``end_char`` (the chunk's place in the whole
            text); ``text``; ``words``; ``sentences`` (their texts); ``entities``
            (``{"text", "label", "start_char", "end_char"}``, offsets in the whole text);
            ``noun_chunks`` (texts; empty without a parser) and ``forced_cut``. The chunks'
            texts, one after the other, are the input; each ends at the end of a sentence.

        Raises:
            ModelUnavailableError: the configured spaCy pipeline cannot be loaded.
        """
        buf = ""
        base = 0  # offset of buf[0] in the whole text
        target = self.chunk_size
        index = 0
        for piece in _pieces(text):
            buf += piece
            while (cut := _cut_after(buf, target)) is not None:
                force = target >= self.max_sentence_words
                result = self._text_chunk(buf[:cut], base, index, final=False, force=force)
                if result is None:  # one sentence longer than the chunk: take more words
                    target = min(target + self.chunk_size, self.max_sentence_words)
                    continue
                if result["forced_cut"]:
                    log.info(
                        "a sentence of more than %d words was cut at character %d",
                        self.max_sentence_words,
                        base + cut,
                    )
                yield result
                index += 1
                consumed = result["end_char"] - base
                buf = buf[consumed:]
                base += consumed
                target = self.chunk_size
        if buf.strip():
            last = self._text_chunk(buf, base, index, final=True)
            if last is not None:
                yield last

    def _text_chunk(
        self, text: str, base: int, index: int, *, final: bool, force: bool = False
    ) -> dict[str, Any] | None:
        """Parse ``text``; report its sentences but the last (all of them when ``final``).

        Returns ``None`` when the text is one unfinished sentence (the caller adds words),
        unless ``force``: then that sentence is reported as it is (``forced_cut``).
        """
        nlp = self.nlp
        forced = False
        with _zone(nlp):
            doc = nlp(text)
            sents = _sentences(doc)
            if final:
                keep_end = len(text)
            elif len(sents) < 2:
                if not force:
                    return None
                keep_end = len(text)
                forced = True
            else:
                keep_end = sents[-1].start_char
                sents = sents[:-1]
            sentences = [str(s.text) for s in sents if s.text.strip()]
            entities = [
                {
                    "text": str(e.text),
                    "label": str(e.label_),
                    "start_char": base + int(e.start_char),
                    "end_char": base + int(e.end_char),
                }
                for e in doc.ents
                if e.end_char <= keep_end
            ]
            noun_chunks = (
                [str(nc.text) for nc in doc.noun_chunks if nc.end_char <= keep_end]
                if doc.has_annotation("DEP")
                else []
            )
            words = sum(_words(s) for s in sents)
            del doc, sents
        self.stats["chunks"] += 1
        self.stats["sentences"] += len(sentences)
        self.stats["words"] += words
        self.stats["entities"] += len(entities)
        self.stats["forced_cuts"] += forced
        self._tick(len(sentences))
        return {
            "index": index,
            "start_char": base,
            "end_char": base + keep_end,
            "text": text[:keep_end],
            "words": words,
            "sentences": sentences,
            "entities": entities,
            "noun_chunks": noun_chunks,
            "forced_cut": forced,
        }

    # -- transcripts -------------------------------------------------------------------------

    def batch_size(self, base: int) -> int:
        """``base`` shrunk as resident memory nears the limit (:func:`adaptive_batch_size`)."""
        limit = effective_limit_mb(self.config.memory_limit_mb).limit_mb
        return adaptive_batch_size(base, rss_mb() / limit if limit > 0 else 0.0)

    def process_transcript_streaming(
        self, source: Source, *, strict: bool | None = None
    ) -> Iterator[dict[str, Any]]:
        """Analyse a WebVTT/SRT transcript one speaker-turn chunk at a time.

        Cues are read by the streaming reader and grouped by the analyzer's chunker (speaker
        turns of at most ``CHUNK_SIZE`` words, ``CHUNK_OVERLAP`` words of context); each
        sentence is reported once, by the chunk that owns it. Chunks go through ``nlp.pipe``
        in batches sized by the input's processing strategy and shrunk as memory nears the
        limit.

        Args:
            source: a path, or a binary or text stream.
            strict: W3C WebVTT parsing (default ``config.strict``).

        Yields:
            Dicts with ``index``, ``speaker``, ``role``, ``turn``, ``start``/``end``
            (seconds), ``words``, ``sentences`` (``{"text", "start", "end"}``) and
            ``entities`` (``{"text", "label", "start", "end"}``); a chunk whose sentences
            all belong to its neighbours yields nothing.

        Raises:
            TranscriptFormatError: (while iterating) the input is not a transcript.
            ModelUnavailableError: the configured spaCy pipeline cannot be loaded.
        """
        from customer_snapshot.nlp.chunking import iter_chunks
        from customer_snapshot.utils.memory_optimizer import StreamingVTTReader

        size: int | None = None
        if isinstance(source, str | os.PathLike):
            with contextlib.suppress(OSError):
                size = os.path.getsize(source)
        strategy = strategy_for_size(size, self.config)
        reader = StreamingVTTReader(speaker_map=self.config.speaker_map)
        cues = reader.read_streaming(
            source, strict=self.config.strict if strict is None else strict
        )
        chunks = iter(
            iter_chunks(
                cues,
                chunk_size=self.chunk_size,
                overlap=min(self.config.chunk_overlap, self.chunk_size - 1),
                on_cue=lambda cue, text, turn: self._tick(1),
            )
        )
        nlp = self.nlp
        index = 0
        while True:
            size_now = self.batch_size(strategy.nlp_batch_size)
            batch = list(islice(chunks, size_now))  # bounded: a batch of bounded chunks
            if not batch:
                return
            results: list[dict[str, Any]] = []
            with _zone(nlp):
                docs = nlp.pipe((c.text for c in batch), batch_size=size_now)
                for doc, chunk in zip(docs, batch, strict=True):
                    result = self._transcript_chunk(doc, chunk, index)
                    if result is not None:
                        results.append(result)
                        index += 1
                del docs
            yield from results

    def _transcript_chunk(self, doc: Any, chunk: Any, index: int) -> dict[str, Any] | None:
        sentences: list[dict[str, Any]] = []
        entities: list[dict[str, Any]] = []
        words = 0
        for sent in _sentences(doc):
            if not sent.text.strip() or not chunk.owns(sent.start_char, sent.end_char):
                continue
            start, end = chunk.span_times(sent.start_char, sent.end_char)
            sentences.append({"text": str(sent.text), "start": start, "end": end})
            words += _words(sent)
            for e in sent.ents:
                e_start, e_end = chunk.span_times(e.start_char, e.end_char)
                entities.append(
                    {"text": str(e.text), "label": str(e.label_), "start": e_start, "end": e_end}
                )
        if not sentences:
            return None
        self.stats["chunks"] += 1
        self.stats["sentences"] += len(sentences)
        self.stats["words"] += words
        self.stats["entities"] += len(entities)
        return {
            "index": index,
            "speaker": chunk.speaker,
            "role": chunk.role,
            "turn": chunk.turn,
            "start": sentences[0]["start"],
            "end": sentences[-1]["end"],
            "words": words,
            "sentences": sentences,
            "entities": entities,
        }

    def analyze(
        self, source: str | os.PathLike[str] | IO[bytes], *, name: str | None = None
    ) -> Analysis:
        """The full bounded analysis of a transcript (speakers, topics, entities, facts).

        The same as :func:`customer_snapshot.pipeline.run_analysis` with this processor's
        settings.
        """
        from customer_snapshot.pipeline import run_analysis

        analysis: Analysis = run_analysis(source, config=self.config, name=name)
        return analysis
