"""``analyze(cues, *, config) -> Analysis``: one pass over the cue stream, bounded state.

Cues are merged into speaker turns and cut into chunks of at most ``CHUNK_SIZE`` words
(:mod:`customer_snapshot.nlp.chunking`); chunks go through ``nlp.pipe`` in batches, each batch
inside ``nlp.memory_zone()`` so spaCy's string store does not grow with the transcript. Only
plain values leave a batch (:func:`~customer_snapshot.nlp.doccopy.copy_sentence`); from there
every aggregate is bounded: speakers, entity top-k counters, key-phrase counters, the topic
segmenter's window, the fact extractor's per-kind lists, the notable-sentence heap.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice, pairwise
from typing import Any

from customer_snapshot.config import Config
from customer_snapshot.io.cue import Cue
from customer_snapshot.io.source import SourceInfo
from customer_snapshot.memory.optimizer import PeriodicCollector
from customer_snapshot.memory.rss import peak_rss_mb, rss_mb
from customer_snapshot.memory.sizing import strategy_for_size
from customer_snapshot.nlp.analysis import Analysis, EntityCount, Participant
from customer_snapshot.nlp.bounded import SpaceSaving, TopByScore
from customer_snapshot.nlp.chunking import Chunk, iter_chunks
from customer_snapshot.nlp.doccopy import copy_sentence
from customer_snapshot.nlp.facts import FactExtractor
from customer_snapshot.nlp.model import LoadedModel, load_model
from customer_snapshot.nlp.phrases import KeyPhraseCounter
from customer_snapshot.nlp.profile import (
    customer_phrase,
    industry_phrase,
    location_phrase,
    org_mentions,
    side_rosters,
)
from customer_snapshot.nlp.topics import TopicSegmenter
from customer_snapshot.nlp.types import Candidate, Evidence, Sentence

__all__ = ["MAX_SPEAKERS", "analyze"]

log = logging.getLogger(__name__)

MAX_SPEAKERS = 200  # more distinct labels than this is not a meeting; the rest are pooled
ENTITY_CAPACITY = 100  # tracked entities per label
ENTITY_SAMPLES = 3  # evidence samples kept per tracked entity
NOTABLE_SENTENCES = 300  # informative sentences kept for summaries
RUN_ON_WORDS = 60  # an ASR "sentence" longer than this is split at cue boundaries
# A second spaCy process (about +150 MB) only above 50 MB: the memory spec's budget there is
# 500 MB, and one process keeps a 10-50 MB input inside its 300 MB (docs/memory.md).
PARALLEL_MIN_BYTES = 50 * 1024 * 1024
_ENTITY_LABELS = frozenset(
    "PERSON ORG GPE LOC PRODUCT EVENT FAC NORP DATE MONEY PERCENT QUANTITY CARDINAL TIME "
    "WORK_OF_ART LAW LANGUAGE ORDINAL".split()
)
_SPEAKER_OVERFLOW = "Other speakers"


class _SpeakerStats:
    """Per-speaker totals, updated cue by cue."""

    def __init__(self) -> None:
        self.by_label: dict[str, Participant] = {}
        self._turn_of: dict[str, int] = {}
        self._turn_start: dict[str, float] = {}
        self._turn_words: dict[str, int] = {}
        self.cues = 0
        self.words = 0
        self.first_start: float | None = None
        self.last_end = 0.0

    def on_cue(self, cue: Cue, text: str, turn: int) -> None:
        self.cues += 1
        words = len(text.split())
        self.words += words
        if self.first_start is None:
            self.first_start = cue.start
        self.last_end = max(self.last_end, cue.end)
        label = cue.speaker
        if label is None:
            return
        if label not in self.by_label and len(self.by_label) >= MAX_SPEAKERS:
            label = _SPEAKER_OVERFLOW
        p = self.by_label.get(label)
        if p is None:
            p = self.by_label[label] = Participant(name=label, label=label, first_seen=cue.start)
            p.role = cue.role
        if cue.role and not p.role:
            p.role = cue.role
        p.words += words
        p.talk_seconds += cue.duration
        if self._turn_of.get(label) != turn:
            self._turn_of[label] = turn
            p.turns += 1
            self._turn_start[label] = cue.start
            self._turn_words[label] = 0
        self._turn_words[label] += words
        monologue = cue.end - self._turn_start[label]
        p.longest_monologue_seconds = max(p.longest_monologue_seconds, monologue)
        p.longest_monologue_words = max(p.longest_monologue_words, self._turn_words[label])

    def on_sentence(self, sentence: Sentence) -> None:
        if sentence.speaker is not None and sentence.is_question:
            p = self.by_label.get(sentence.speaker)
            if p is not None:
                p.questions += 1

    def participants(self) -> list[Participant]:
        total = sum(p.talk_seconds for p in self.by_label.values()) or 1.0
        out = sorted(self.by_label.values(), key=lambda p: p.first_seen)
        for p in out:
            p.talk_share = p.talk_seconds / total
        return out


class _Entities:
    """Top-k entities per label with the first few evidence samples of each."""

    def __init__(self) -> None:
        self.counters: dict[str, SpaceSaving[str]] = {}
        self.samples: dict[tuple[str, str], list[Evidence]] = {}
        self.surface: dict[tuple[str, str], str] = {}

    def add(self, label: str, text: str, evidence: Evidence) -> None:
        key = " ".join(text.split()).strip(" .,;:!?'\"").lower()
        if not key or label not in _ENTITY_LABELS:
            return
        counter = self.counters.get(label)
        if counter is None:

            def forget(evicted: str, label: str = label) -> None:
                self.samples.pop((label, evicted), None)
                self.surface.pop((label, evicted), None)

            counter = self.counters[label] = SpaceSaving(ENTITY_CAPACITY, on_evict=forget)
        counter.add(key)
        samples = self.samples.setdefault((label, key), [])
        if len(samples) < ENTITY_SAMPLES:
            samples.append(evidence)
        # Prefer a capitalised surface form for display ("Memphis" over "memphis").
        shown = self.surface.get((label, key))
        if shown is None or (shown.islower() and not text.islower()):
            self.surface[(label, key)] = " ".join(text.split())

    def result(self, per_label: int = 20) -> dict[str, list[EntityCount]]:
        out: dict[str, list[EntityCount]] = {}
        for label in sorted(self.counters):
            items = []
            for key, count in self.counters[label].top(per_label):
                items.append(
                    EntityCount(
                        self.surface.get((label, key), key),
                        label,
                        count,
                        list(self.samples.get((label, key), [])),
                    )
                )
            out[label] = items
        return out


# Words after a brand that name its people or dealings, not a product ("corvane team").
_NOT_PRODUCT_WORDS = frozenset(
    """team teams folks people side crew staff guys group support account accounts contract
    contracts deal renewal license licenses invoice invoices pricing price prices community
    partnership relationship rep reps sales office offices engineer engineers consultant
    consultants manager managers thing things stuff one ones way""".split()
)


class _BrandPairs:
    """Counts "Brand Product" pairs: two capitalised proper nouns in a row.

    A vendor's product family shows up as one brand word followed by several different names
    ("Acme Vault", "Acme Flow", "Acme Lens"); a person's name does not repeat its first word
    with different second words. Bounded by a Space-Saving counter.
    """

    def __init__(self, capacity: int = 2000, known_words: frozenset[str] = frozenset()) -> None:
        self.pairs: SpaceSaving[tuple[str, str]] = SpaceSaving(capacity, on_evict=self._forget)
        self.shown: dict[tuple[str, str], str] = {}
        self.first: dict[tuple[str, str], Evidence] = {}  # where each pair was first said
        self.known = known_words

    def _forget(self, key: tuple[str, str]) -> None:
        self.shown.pop(key, None)
        self.first.pop(key, None)

    def add(self, sentence: Sentence) -> None:
        toks = sentence.tokens
        for a, b in pairwise(toks):
            if (
                a.pos == "PROPN"
                and b.pos in ("PROPN", "NOUN")
                and a.text[:1].isupper()
                and b.text[:1].isupper()
                and not a.is_stop
                # The small model often tags "Acme Lens" as a person; the family rule (one
                # first word, several different second words) keeps people's names out.
                and a.ent_type != "DATE"
                and b.ent_type != "DATE"
                and a.text.isalpha()
                and b.text.isalpha()
            ):
                self._count((a.lower, b.lower), f"{a.text} {b.text}", sentence)
        if self.known and sentence.text == sentence.text.lower():
            self._add_lowercase(sentence)

    def _count(self, key: tuple[str, str], shown: str, sentence: Sentence) -> None:
        self.pairs.add(key)
        if key not in self.shown:
            self.shown[key] = shown
            self.first[key] = sentence.evidence

    def evidence(self) -> dict[str, Evidence]:
        """Where each family member was first said, by its shown name."""
        return {self.shown[k]: ev for k, ev in self.first.items() if k in self.shown}

    def _add_lowercase(self, sentence: Sentence) -> None:
        """Lower-case ASR has no capitals: a brand is a word the model never saw in training
        ("corvane"), followed by a noun ("corvane vault", "corvane flow")."""
        for a, b in pairwise(sentence.tokens):
            if (
                len(a.lower) >= 4
                and a.lower.isalpha()
                and a.lower not in self.known
                # A noun, or a verb's bare form ("fernbrook attend", "corvane flow"): without
                # capitals the tagger reads a product name as whatever the word usually is.
                and (b.pos in ("NOUN", "PROPN") or b.tag == "VB")
                and b.lower.isalpha()
                and not b.is_stop
                and b.lower not in _NOT_PRODUCT_WORDS
            ):
                shown = f"{a.text.capitalize()} {b.text.capitalize()}"
                self._count((a.lower, b.lower), shown, sentence)

    def families(self, min_members: int = 2) -> list[tuple[str, list[tuple[str, int]]]]:
        """Brands with at least ``min_members`` different products, most members first."""
        by_brand: dict[str, list[tuple[str, int]]] = {}
        for key, count in self.pairs.top():
            by_brand.setdefault(key[0], []).append((self.shown.get(key, " ".join(key)), count))
        out = [(b, m) for b, m in by_brand.items() if len(m) >= min_members]
        out.sort(key=lambda bm: (-len(bm[1]), -sum(c for _, c in bm[1])))
        return [(m[0][0].split()[0], m) for _, m in out]


class _Profile:
    """Self-descriptions (industry), home bases (location) and customers named in a case study
    ("the customer is X"): the first few of each."""

    LIMIT = 20

    def __init__(self) -> None:
        self.industry: list[Candidate] = []
        self.location: list[Candidate] = []
        self.customer: list[Candidate] = []  # "the customer is X" (a vendor's case study)
        # Organisations placed on a side: "here at X" (own), "our review with X" (other).
        self.orgs: list[Candidate] = []
        # "On our side it's me and Hana": who a speaker puts on which side.
        self.rosters: list[Candidate] = []

    def add(self, sentence: Sentence) -> None:
        if len(self.industry) < self.LIMIT:
            phrase = industry_phrase(sentence.text)
            if phrase:
                self.industry.append(Candidate("industry", phrase, sentence.evidence, None, 0.6))
        if len(self.location) < self.LIMIT:
            place = location_phrase(sentence)
            if place:
                self.location.append(Candidate("location", place, sentence.evidence, None, 0.6))
        if len(self.customer) < self.LIMIT:
            named = customer_phrase(sentence)
            if named:
                self.customer.append(Candidate("customer", named, sentence.evidence, None, 0.6))
        if len(self.orgs) < 2 * self.LIMIT:
            for org, relation in org_mentions(sentence.text):
                attrs = {"relation": relation}
                self.orgs.append(Candidate("org_mention", org, sentence.evidence, None, 0.5, attrs))
        if len(self.rosters) < self.LIMIT:
            for side, words in side_rosters(sentence.text):
                attrs = {"side": side}
                self.rosters.append(
                    Candidate("side_roster", words, sentence.evidence, None, 0.5, attrs)
                )


def _notable_score(s: Sentence) -> float:
    content = sum(
        1 for t in s.tokens if not t.is_stop and t.pos in ("NOUN", "PROPN", "VERB", "ADJ")
    )
    if content < 4 or s.is_question:
        return 0.0
    numbers = sum(1 for t in s.tokens if t.like_num)
    return content + 2.0 * len(s.ents) + 1.5 * numbers - 0.02 * max(0, len(s.text) - 250)


def _sentences(doc: Any, chunk: Chunk, index_in_turn: int) -> Iterator[Sentence]:
    """The sentences of a chunk that this chunk owns, as plain records."""
    for sent in doc.sents:
        if not chunk.owns(sent.start_char, sent.end_char):
            continue
        if not sent.text.strip():
            continue
        for piece in _split_run_on(sent, chunk):
            start, end = chunk.span_times(piece.start_char, piece.end_char)
            yield copy_sentence(
                piece,
                speaker=chunk.speaker,
                role=chunk.role,
                start=start,
                end=end,
                turn=chunk.turn,
                index_in_turn=index_in_turn,
            )
            index_in_turn += 1


def _split_run_on(sent: Any, chunk: Chunk) -> Iterator[Any]:
    """Unpunctuated ASR gives "sentences" of hundreds of words: split them at cue boundaries."""
    words = sum(1 for t in sent if not t.is_punct and not t.is_space)
    if words <= RUN_ON_WORDS:
        yield sent
        return
    doc = sent.doc
    cut_chars = set(chunk.starts)
    start = sent.start
    count = 0
    for tok in sent:
        if tok.idx in cut_chars and count >= 20 and tok.i > start:
            yield doc[start : tok.i]
            start, count = tok.i, 0
        if not tok.is_punct and not tok.is_space:
            count += 1
        if count >= RUN_ON_WORDS and tok.i + 1 < sent.end:
            # No cue boundary for a long stretch: cut anyway, at a word.
            yield doc[start : tok.i + 1]
            start, count = tok.i + 1, 0
    if start < sent.end:
        yield doc[start : sent.end]


def _batched(items: Iterable[Chunk], n: int) -> Iterator[list[Chunk]]:
    it = iter(items)
    while batch := list(islice(it, n)):  # bounded: n chunks of at most CHUNK_SIZE words
        yield batch


def _n_process(config: Config, size_hint: int | None) -> int:
    if config.nlp_processes is not None:
        return max(1, config.nlp_processes)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if config.low_memory or not size_hint or size_hint < PARALLEL_MIN_BYTES or (cpus or 1) < 2:
        return 1
    return 2


def analyze(
    cues: Iterable[Cue],
    *,
    config: Config,
    source: SourceInfo | None = None,
    on_batch: Callable[[], None] | None = None,
) -> Analysis:
    """Analyse a cue stream once and return bounded, plain results.

    Args:
        cues: the transcript's cues, in order (consumed once; a generator is fine).
        config: settings (``CHUNK_SIZE``, ``CHUNK_OVERLAP``, ``SPACY_MODEL`` ...).
        source: what is known about the input; filled with cue/word/duration counts.
        on_batch: called after each batch of chunks (progress bars).

    Raises:
        ModelUnavailableError: the configured spaCy pipeline cannot be loaded.
    """
    t0 = time.perf_counter()
    source = source or SourceInfo(name="<cues>")
    loaded: LoadedModel = load_model(config.spacy_model)
    nlp = loaded.nlp
    strategy = strategy_for_size(source.size_hint, config)
    collector = PeriodicCollector(strategy.gc_every, generation=1)
    speakers = _SpeakerStats()
    entities = _Entities()
    facts = FactExtractor(lexicon=loaded.known_words)
    phrases = KeyPhraseCounter()
    topics = TopicSegmenter()
    notable: TopByScore[Candidate] = TopByScore(NOTABLE_SENTENCES)
    brands = _BrandPairs(known_words=loaded.known_words)
    profile = _Profile()
    n_process = _n_process(config, source.size_hint)
    batch_chunks = max(4, strategy.nlp_batch_size * 4)
    nlp_seconds = 0.0

    def on_cue(cue: Cue, text: str, turn: int) -> None:
        speakers.on_cue(cue, text, turn)
        collector.tick()

    chunks = iter_chunks(
        cues, chunk_size=config.chunk_size, overlap=config.chunk_overlap, on_cue=on_cue
    )
    index_in_turn: dict[int, int] = {}
    zone = getattr(nlp, "memory_zone", None)
    for batch in _batched(chunks, batch_chunks):
        t_nlp = time.perf_counter()
        with zone() if zone is not None else _null():
            docs = nlp.pipe(
                (c.text for c in batch), batch_size=strategy.nlp_batch_size, n_process=n_process
            )
            for doc, chunk in zip(docs, batch, strict=True):
                k = 0 if chunk.first_chunk else index_in_turn.get(chunk.turn, 0)
                for sentence in _sentences(doc, chunk, k):
                    speakers.on_sentence(sentence)
                    facts.feed(sentence)
                    phrases.add(sentence)
                    brands.add(sentence)
                    profile.add(sentence)
                    topics.add(sentence)
                    ev = sentence.evidence
                    for text, label, _, _ in sentence.ents:
                        entities.add(label, text, ev)
                    score = _notable_score(sentence)
                    if score > 0:
                        notable.push(Candidate("sentence", sentence.text, ev, None, score), score)
                    k += 1
                index_in_turn = {chunk.turn: k}
        nlp_seconds += time.perf_counter() - t_nlp
        if on_batch is not None:
            on_batch()
    found = facts.finish()
    found.candidates["industry"] = profile.industry
    found.candidates["location"] = profile.location
    found.candidates["customer"] = profile.customer
    found.candidates["org_mention"] = profile.orgs
    found.candidates["side_roster"] = profile.rosters
    participants = speakers.participants()
    if not participants and speakers.cues:
        # No speaker labels at all (a webinar's captions): one voice, named if it says who.
        presenter = _single_voice(speakers, found.candidates.get("introduction", []))
        if presenter is not None:
            participants = [presenter]
    speaker_names = _apply_introductions(participants, found.candidates.get("introduction", []))
    source.cues = speakers.cues
    source.words = speakers.words
    if speakers.first_start is not None:
        source.duration_seconds = max(0.0, speakers.last_end - min(0.0, speakers.first_start))
    seconds = time.perf_counter() - t0
    warnings = [loaded.warning] if loaded.warning else []
    metrics = {
        "stages": {
            "analyze": {"seconds": round(seconds, 3), "peak_rss_mb": round(peak_rss_mb(), 1)}
        },
        "nlp_seconds": round(nlp_seconds, 3),
        "rss_mb": round(rss_mb(), 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "words_per_second": round(source.words / seconds, 1) if seconds > 0 else 0.0,
        "strategy": strategy.name,
        "n_process": n_process,
        "gc_collections": collector.collections,
        # Sizes of the bounded aggregates: the same caps whatever the transcript's length.
        "state": {
            "speakers": len(speakers.by_label),
            "entities_tracked": sum(len(c) for c in entities.counters.values()),
            "entity_samples": sum(len(v) for v in entities.samples.values()),
            "notable": len(notable),
            "brand_pairs": len(brands.pairs),
            "candidates": sum(len(v) for v in found.candidates.values()),
            **{f"phrases_{k}": v for k, v in phrases.footprint().items()},
            **{f"topics_{k}": v for k, v in topics.footprint().items()},
        },
    }
    return Analysis(
        model=loaded.name,
        source=source,
        participants=participants,
        entities=entities.result(),
        key_phrases=phrases.top(20),
        topics=topics.finish(),
        candidates=found.candidates,
        notable=[c for c, _ in notable.in_order()],
        reference_year=found.reference_year,
        speaker_names=speaker_names,
        brands=brands.families(),
        brand_evidence=brands.evidence(),
        warnings=warnings,
        metrics=metrics,
    )


def _single_voice(stats: _SpeakerStats, introductions: list[Candidate]) -> Participant | None:
    """A transcript without any speaker label (a webinar's captions) is one voice: name it
    from the first self-introduction, or leave it out."""
    intro = next(
        (
            c
            for c in introductions
            if c.attrs.get("who") == "self" and len(c.attrs.get("name", "").split()) >= 2
        ),
        None,
    )
    if intro is None:
        return None
    name = intro.attrs["name"]
    talk = max(0.0, stats.last_end - (stats.first_start or 0.0))
    p = Participant(name=name, label=name, turns=1, words=stats.words, talk_seconds=talk)
    p.talk_share = 1.0
    p.role = intro.attrs.get("title") or None
    p.organization = intro.attrs.get("organization") or None
    for c in (c for items in (introductions,) for c in items):
        if c.evidence.speaker is None:
            c.evidence = Evidence(c.evidence.start, c.evidence.end, name, c.evidence.text)
    return p


_GENERIC_LABEL = re.compile(r"^Speaker \d+$")


def _apply_introductions(
    participants: list[Participant], introductions: list[Candidate]
) -> dict[str, str]:
    """Fill role and organisation from introductions; name generic ``Speaker N`` labels.

    A self-introduction ("I'm Dana, Director of Analytics at Northwind") describes its speaker;
    an introduction of someone else describes the participant of that name, if one speaks.
    Returns the renames of generic labels (``{"Speaker 2": "Priya Shah"}``).
    """
    by_label = {p.label: p for p in participants}
    renames: dict[str, str] = {}
    taken = {p.name.casefold() for p in participants}
    for cand in introductions:
        attrs = cand.attrs
        name = attrs.get("name", "").strip()
        target: Participant | None = None
        if attrs.get("who") == "self":
            target = by_label.get(cand.evidence.speaker or "")
            if (
                target is not None
                and name
                and _GENERIC_LABEL.match(target.label)
                and target.label not in renames
                and name.casefold() not in taken
            ):
                renames[target.label] = name
                target.name = name
                taken.add(name.casefold())
        elif name:
            first = name.split()[0].casefold()
            for p in participants:
                if p.name.casefold() == name.casefold() or p.name.split()[0].casefold() == first:
                    target = p
                    break
        if target is None:
            continue
        if attrs.get("title") and not target.role:
            target.role = attrs["title"]
        if attrs.get("organization") and not target.organization:
            target.organization = attrs["organization"]
    return renames


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
