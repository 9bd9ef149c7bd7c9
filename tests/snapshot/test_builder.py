"""Builder rules checked on the bundled example, through the real pipeline."""

from __future__ import annotations

from pathlib import Path

from customer_snapshot import Config
from customer_snapshot.pipeline import generate_snapshot

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "examples" / "acme_onboarding.vtt"


def test_due_dates_and_milestones_are_not_before_the_engagement_began() -> None:
    data = generate_snapshot(EXAMPLE, config=Config.from_env({})).to_dict()
    engagement = next(s for s in data["sections"] if s["key"] == "engagement")
    start = engagement["fields"]["start_date"]["normalized"]
    assert start == "2025-09-08"
    dues = [a["due"] for a in data["action_items"] if a["due"]]
    # "by April 30th", "the week of May 11th", ... said in a call after a January go-live.
    assert len(dues) >= 3 and all(d > start for d in dues), dues
    assert all(m["normalized"] >= start for m in engagement["items"]["milestones"])
