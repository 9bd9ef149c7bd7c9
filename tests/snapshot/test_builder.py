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


CASE_STUDY = """WEBVTT

00:00:01.000 --> 00:00:06.000
Welcome, everyone. I'm Priya Nandakumar, head of customer marketing at Corvane.

00:00:06.500 --> 00:00:12.000
Today's story is about cold chain logistics. The customer is Tallis Freight Partners.

00:00:12.500 --> 00:00:19.000
They're a logistics company with 60 trucks, and their headquarters is in Omaha, Nebraska.

00:00:19.500 --> 00:00:26.000
My main contact there was Felix Amundsen, Director of Fleet Operations at Tallis Freight.

00:00:26.500 --> 00:00:33.000
Before Corvane Track, their drivers logged temperatures on paper and lost 4% of loads.

00:00:33.500 --> 00:00:40.000
After the rollout of Corvane Track and Corvane Alerts, spoiled loads dropped by 60%.

00:00:40.500 --> 00:00:46.000
Marta Quist, their chief financial officer, was happy with the numbers.
"""


def test_a_vendor_case_study_fills_the_customer_from_the_story(tmp_path: Path) -> None:
    """One voice, the vendor's, telling the story: the customer fields come from what it says
    of "the customer" in the third person; the presenter is not the customer's contact."""
    path = tmp_path / "webinar.vtt"
    path.write_text(CASE_STUDY)
    data = generate_snapshot(path, config=Config.from_env({})).to_dict()
    fields = {k: (v or {}).get("value") for k, v in data["sections"][0]["fields"].items()}
    assert fields["company_name"] == "Tallis Freight Partners"
    assert fields["industry"] == "Logistics"
    assert fields["location"] == "Omaha, Nebraska"
    assert fields["primary_contact"] == "Felix Amundsen"
    assert fields["position"] == "Director of Fleet Operations"
    team = [f["value"] for f in data["sections"][3]["items"]["team"]]
    assert "Felix Amundsen" in team  # named as the contact on the engagement
    assert "Marta Quist" not in team  # named in passing, not on the team


def test_specific_commitments_outrank_vague_ones() -> None:
    from customer_snapshot.nlp.types import Candidate, Evidence
    from customer_snapshot.snapshot.builder import _commitment_weight

    ev = Evidence(1.0, 2.0, "Ana", "...")

    def commitment(action: str, conf: float) -> Candidate:
        return Candidate("commitment", action, ev, None, conf, {"action": action})

    vague = [commitment(a, 0.65) for a in ("pass that along", "send it after this call")]
    specific = commitment("send Tom the API documentation", 0.65)
    assert all(_commitment_weight(specific) > _commitment_weight(v) for v in vague)
    assert _commitment_weight(commitment("send it", 0.9)) < 0.9


NO_INTRO_ORG = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Tomas Ekberg>Thanks for having me back at Larkspur Foods. Our second review with Larkspur.

00:00:06.500 --> 00:00:12.000
<v Tomas Ekberg>Our Brevik Planner and Brevik Ledger have been live since March.

00:00:12.500 --> 00:00:19.000
<v Hana Oduya>Sure. I run the bakery lines here at Larkspur Foods, so I see the schedule every day.

00:00:19.500 --> 00:00:26.000
<v Hana Oduya>Changeover time went from 50 minutes to 20 minutes since we moved to Brevik Planner.

00:00:26.500 --> 00:00:31.000
<v Tomas Ekberg>Great. What would you like to see next?
"""


def test_the_customer_is_found_when_nobody_introduces_themselves_with_it(tmp_path: Path) -> None:
    """No "I'm X from Org": the customer is the organisation the vendor visits and reviews
    with, and that a customer speaker calls their own; the vendor's brand is not it."""
    path = tmp_path / "review.vtt"
    path.write_text(NO_INTRO_ORG)
    data = generate_snapshot(path, config=Config.from_env({})).to_dict()
    info = next(s for s in data["sections"] if s["key"] == "customer_information")
    company = info["fields"]["company_name"]
    assert company["value"] == "Larkspur Foods"
    assert company["evidence"][0]["speaker"] in ("Tomas Ekberg", "Hana Oduya")
    assert info["fields"]["primary_contact"]["value"] == "Hana Oduya"


MAIN_PRODUCT = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Tomas Ekberg>I'm Tomas Ekberg from Brevik. Thanks for joining, Hana.

00:00:06.500 --> 00:00:12.000
<v Hana Oduya>Happy to. I run the bakery lines at Larkspur Foods.

00:00:12.500 --> 00:00:19.000
<v Hana Oduya>Since we moved to Brevik Planner, changeover time went from 50 minutes to 20 minutes.

00:00:19.500 --> 00:00:26.000
<v Hana Oduya>Brevik Ledger handles the invoices now.

00:00:26.500 --> 00:00:33.000
<v Tomas Ekberg>Next year we'd like to propose a pilot of Brevik Roster for shift planning.

00:00:33.500 --> 00:00:40.000
<v Tomas Ekberg>Brevik Roster could plan shifts, and Brevik Roster has a mobile app too.

00:00:40.500 --> 00:00:46.000
<v Hana Oduya>We will look at Brevik Roster next spring, not before.
"""


def test_the_main_product_is_the_one_credited_with_results_not_the_one_only_proposed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "review.vtt"
    path.write_text(MAIN_PRODUCT)
    data = generate_snapshot(path, config=Config.from_env({})).to_dict()
    solution = next(s for s in data["sections"] if s["key"] == "solution")
    assert solution["fields"]["product"]["value"] == "Brevik Planner"


def test_the_executive_summary_never_repeats_a_sentence() -> None:
    """One sentence can be both a milestone step and a usage figure; the summary says it once."""
    folder = EXAMPLE.parent.parent / "tests" / "fixtures" / "heldout"
    for path in sorted(folder.glob("*.*t")):
        data = generate_snapshot(path, config=Config.from_env({})).to_dict()
        summary = next(s for s in data["sections"] if s["key"] == "executive_summary")
        values = [f["value"] for f in summary["items"]["highlights"]]
        assert 3 <= len(values) <= 5 and len(set(values)) == len(values), (path.name, values)


def test_a_part_in_the_project_is_not_a_job_title() -> None:
    from customer_snapshot.snapshot.builder import _PROJECT_ROLE

    for role in ("sponsor", "the executive sponsor", "our main point of contact", "project lead"):
        assert _PROJECT_ROLE.match(role), role
    for title in ("Director of Laboratory Operations", "QC lead engineer", "VP of Sales"):
        assert not _PROJECT_ROLE.match(title), title


TWO_PROMISES = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Tomas Ekberg>I'm Tomas Ekberg from Brevik. Any questions before we close, Hana?

00:00:06.500 --> 00:00:14.000
<v Hana Oduya>I'll confirm the workshop attendees by Wednesday, and I'll send over our SOP list.

00:00:14.500 --> 00:00:19.000
<v Tomas Ekberg>Great, thanks. And then I'll let you all go.
"""


def test_two_promises_in_one_sentence_are_two_action_items_and_goodbyes_are_none(
    tmp_path: Path,
) -> None:
    path = tmp_path / "close.vtt"
    path.write_text(TWO_PROMISES)
    data = generate_snapshot(path, config=Config.from_env({})).to_dict()
    actions = [a["value"].casefold() for a in data["action_items"]]
    assert any("workshop attendees" in a for a in actions), actions
    assert any("sop list" in a for a in actions), actions
    assert not any("let you all go" in a for a in actions), actions


ROSTER = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Tomas Ekberg>I'm Tomas Ekberg from Brevik, and I'll lead the implementation.

00:00:06.500 --> 00:00:12.000
<v Hana Kurosawa>And I'm Hana Kurosawa, I'm the solution architect.

00:00:12.500 --> 00:00:19.000
<v Ingrid Solberg>I'm Ingrid Solberg. I run lab operations here at Kestrel Bioscience.

00:00:19.500 --> 00:00:26.000
<v Tomas Ekberg>So on our side it's me and Hana, and on your side, Ingrid and her QC team.

00:00:26.500 --> 00:00:31.000
<v Tomas Ekberg>Ingrid, which instruments should Brevik Connect talk to first?

00:00:31.500 --> 00:00:36.000
<v Ingrid Solberg>The plate readers, then the balances.
"""


def test_on_our_side_puts_a_colleague_on_the_speakers_side(tmp_path: Path) -> None:
    """Hana never names her company; the vendor's "on our side it's me and Hana" places her."""
    from customer_snapshot.pipeline import run_analysis
    from customer_snapshot.snapshot.sides import detect_sides

    path = tmp_path / "kickoff.vtt"
    path.write_text(ROSTER)
    sides = detect_sides(run_analysis(path, config=Config.from_env({})))
    assert sides.vendor_speakers == {"Tomas Ekberg", "Hana Kurosawa"}
    assert sides.customer_speakers == {"Ingrid Solberg"}


LABELLED = """WEBVTT

00:00:01.000 --> 00:00:06.000
Speaker 0: Hi all, I'm Callum Reyes from Quillon. Any questions before we start?

00:00:06.500 --> 00:00:12.000
Speaker 1: I'm Ingrid Solberg. I run lab operations here at Kestrel Bioscience.

00:00:12.500 --> 00:00:19.000
Speaker 1: If it's urgent, call my cell. It's 919-555-0147.
"""


def test_the_contacts_phone_is_found_when_the_transcript_only_labels_speakers(
    tmp_path: Path,
) -> None:
    """The phone's owner is "Speaker 1" in the transcript and Ingrid Solberg in the snapshot."""
    path = tmp_path / "kickoff.vtt"
    path.write_text(LABELLED)
    data = generate_snapshot(path, config=Config.from_env({})).to_dict()
    info = next(s for s in data["sections"] if s["key"] == "customer_information")
    assert info["fields"]["primary_contact"]["value"] == "Ingrid Solberg"
    assert info["fields"]["contact_information"]["value"] == "919-555-0147"
