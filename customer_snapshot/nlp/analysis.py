"""The result of the analysis stage: bounded, plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from customer_snapshot.io.source import SourceInfo
from customer_snapshot.nlp.topics import Topic
from customer_snapshot.nlp.types import Candidate, Evidence

__all__ = ["Analysis", "EntityCount", "Participant"]


@dataclass
class Participant:
    """One speaker: how much they said, and who they are when the call says so."""

    name: str
    label: str  # the speaker label in the transcript ("Speaker 2" before it was resolved)
    organization: str | None = None
    role: str | None = None
    turns: int = 0
    words: int = 0
    talk_seconds: float = 0.0
    talk_share: float = 0.0
    questions: int = 0
    longest_monologue_seconds: float = 0.0
    longest_monologue_words: int = 0
    first_seen: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The snapshot JSON participant object (plus the extra statistics)."""
        return {
            "name": self.name,
            "organization": self.organization,
            "role": self.role,
            "turns": self.turns,
            "words": self.words,
            "talk_seconds": round(self.talk_seconds, 1),
            "talk_share": round(self.talk_share, 4),
            "questions": self.questions,
            "longest_monologue_seconds": round(self.longest_monologue_seconds, 1),
        }


@dataclass
class EntityCount:
    """A named entity with its (approximate, bounded) count and a few evidence samples."""

    text: str
    label: str
    count: int
    samples: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """``{"text", "count"}`` as in the snapshot JSON."""
        return {"text": self.text, "count": self.count}


@dataclass
class Analysis:
    """Everything the snapshot is built from; every list is bounded by the Config."""

    model: str
    source: SourceInfo
    participants: list[Participant]
    entities: dict[str, list[EntityCount]]
    key_phrases: list[tuple[str, int]]
    topics: list[Topic]
    candidates: dict[str, list[Candidate]]
    notable: list[Candidate]  # informative sentences for summaries (bounded)
    reference_year: int | None
    speaker_names: dict[str, str]  # transcript label -> resolved name
    # Product families: (brand, [("Brand Product", count), ...]), most members first.
    brands: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)
    # Where each family member ("Brand Product") was first said.
    brand_evidence: dict[str, Evidence] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the ``analyze --json`` output)."""
        return {
            "generator": {"model": self.model},
            "source": self.source.to_dict(),
            "participants": [p.to_dict() for p in self.participants],
            "topics": [t.to_dict() for t in self.topics],
            "key_phrases": [{"text": t, "count": c} for t, c in self.key_phrases],
            "entities": {k: [e.to_dict() for e in v] for k, v in self.entities.items()},
            "reference_year": self.reference_year,
            "brands": [{"brand": b, "products": dict(m)} for b, m in self.brands],
            "candidates": {k: [c.to_dict() for c in v] for k, v in self.candidates.items()},
            "warnings": list(self.warnings),
            "metrics": self.metrics,
        }
