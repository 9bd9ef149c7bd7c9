"""The snapshot: 11 sections of facts, each fact with its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from customer_snapshot.nlp.types import Candidate, Evidence

__all__ = ["SECTIONS", "Fact", "Section", "Snapshot"]

SCHEMA_VERSION = "1"

# key, title, fields, items (DESIGN.md's table; every name is always present).
SECTIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("customer_information", "Customer Information",
     ("company_name", "industry", "location", "primary_contact", "position",
      "contact_information"), ()),
    ("background", "Background", (), ("problems",)),
    ("solution", "Solution", ("product",), ("products", "implementation_process")),
    ("engagement", "Engagement Timeline", ("start_date", "completion_date"),
     ("milestones", "team")),
    ("results", "Results", ("testimonial",),
     ("achievements", "quantifiable_improvements", "testimonials")),
    ("adoption", "Adoption", ("adoption_rate",), ("usage_metrics",)),
    ("financial_impact", "Financial Impact", (), ("cost_savings", "revenue_increase", "roi")),
    ("long_term_impact", "Long-Term Impact", (), ("strategic_benefits", "future_plans")),
    ("visuals", "Visuals", (), ("timeline", "charts")),
    ("additional_commentary", "Additional Commentary", (), ("notes",)),
    ("executive_summary", "Executive Summary", (), ("highlights",)),
)  # fmt: skip


@dataclass
class Fact:
    """A statement in the snapshot and where in the call it was said."""

    value: str
    evidence: list[Evidence]
    normalized: str | None = None
    confidence: float = 0.5
    owner: str | None = None  # action items only
    due: str | None = None  # action items only
    extra: dict[str, Any] = field(default_factory=dict)  # chart data and the like

    @classmethod
    def from_candidate(
        cls, cand: Candidate, *, value: str | None = None, normalized: str | None = None
    ) -> Fact:
        """A fact from an analysis candidate (its evidence, confidence and normal form)."""
        return cls(
            value=value if value is not None else cand.value,
            evidence=[cand.evidence],
            normalized=normalized if normalized is not None else cand.normalized,
            confidence=round(min(1.0, max(0.0, cand.confidence)), 3),
        )

    def to_dict(self, *, action: bool = False) -> dict[str, Any]:
        """The snapshot JSON ``Fact`` (plus ``owner``/``due`` for action items)."""
        out: dict[str, Any] = {
            "value": self.value,
            "normalized": self.normalized,
            "confidence": round(self.confidence, 3),
            "evidence": [e.to_dict() for e in self.evidence],
        }
        if action:
            out["owner"] = self.owner
            out["due"] = self.due
        if self.extra:
            out["data"] = self.extra
        return out


@dataclass
class Section:
    """One of the 11 sections."""

    key: str
    title: str
    summary: str = ""
    fields: dict[str, Fact | None] = field(default_factory=dict)
    items: dict[str, list[Fact]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The snapshot JSON section."""
        return {
            "key": self.key,
            "title": self.title,
            "summary": self.summary,
            "fields": {k: (v.to_dict() if v else None) for k, v in self.fields.items()},
            "items": {k: [f.to_dict() for f in v] for k, v in self.items.items()},
        }


@dataclass
class Snapshot:
    """A Customer Solution Snapshot."""

    generator: dict[str, str]
    source: dict[str, Any]
    participants: list[dict[str, Any]]
    sections: list[Section]
    action_items: list[Fact]
    topics: list[dict[str, Any]]
    key_phrases: list[dict[str, Any]]
    entities: dict[str, list[dict[str, Any]]]
    warnings: list[str]
    metrics: dict[str, Any]

    def section(self, key: str) -> Section:
        """The section with this key."""
        return next(s for s in self.sections if s.key == key)

    def to_dict(self) -> dict[str, Any]:
        """The snapshot JSON (DESIGN.md's contract)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "generator": dict(self.generator),
            "source": dict(self.source),
            "participants": list(self.participants),
            "sections": [s.to_dict() for s in self.sections],
            "action_items": [f.to_dict(action=True) for f in self.action_items],
            "topics": list(self.topics),
            "key_phrases": list(self.key_phrases),
            "entities": {k: list(v) for k, v in self.entities.items()},
            "warnings": list(self.warnings),
            "metrics": dict(self.metrics),
        }
