"""Industry and location from how speakers describe their own organisation."""

from __future__ import annotations

import pytest

from customer_snapshot.nlp.profile import (
    customer_phrase,
    industry_phrase,
    location_phrase,
    org_mentions,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We're a regional trucking company with about 900 drivers.", "Trucking"),
        ("so we're basically a credit union, about forty branches", "Credit union"),
        ("As a hospital network we can't store that in the cloud.", "Hospital"),
        ("We are in the hospitality business, mostly boutique hotels.", "Hospitality"),
        ("we're a public school district in the valley", "Public school"),
        ("For the record, Delta Farms is a grocery retail business in Iowa.", "Grocery retail"),
        ("It is a healthcare question, really.", None),
        ("We're a team of four analysts.", None),
        ("We're a biotechnology company, we make cell culture media.", "Biotechnology"),
        ("we run forty two restaurants, mostly here and in Edmonton", "Restaurants"),
        ("Like everyone in legal services, we bill by the hour.", "Legal services"),
        ("We run two shifts on the line.", None),
        ("for the first time we're managing our energy instead of just paying for it", None),
        ("We are almost done with the rollout.", None),
    ],
)
def test_industry_phrase(text: str, expected: str | None) -> None:
    assert industry_phrase(text) == expected


@pytest.mark.parametrize(
    ("text", "speaker", "expected"),
    [
        ("We're based in Spokane, Washington, with two plants.", "A", "Spokane, Washington"),
        ("Our headquarters is in Leeds.", "A", "Leeds"),
        ("yeah we're based out of fort collins so", "A", "Fort Collins"),
        (
            "Our headquarters and our main hub are both here in Tulsa, Oklahoma.",
            "A",
            "Tulsa, Oklahoma",
        ),
        ("Your main plant is in Dayton, Ohio, with two lines.", "A", "Dayton, Ohio"),
        ("We're in Boise, Idaho, about 200 people.", "A", "Boise, Idaho"),
        ("We have two plants here in Grand Rapids.", "A", "Grand Rapids"),
        ("We're in a good place with the rollout.", "A", None),
        ("I flew in from Denver yesterday.", "A", None),
        ("kwame we're based out of leeds it's always raining", "A", "Leeds"),
        (
            "It's snowing in Durham, North Carolina, if you can believe it.",
            "A",
            "Durham, North Carolina",
        ),
        (
            "Ailsa Kerr, Head of Legal Operations, Level 12, 88 Collins Street, Melbourne, "
            "Victoria 3000.",
            "A",
            "Melbourne, Victoria",
        ),
        ("The conference was in Chicago.", "A", None),
    ],
)
def test_location_phrase(make_sentences, text: str, speaker: str, expected: str | None) -> None:  # type: ignore[no-untyped-def]
    (sentence, *_) = make_sentences(text, speaker=speaker)
    assert location_phrase(sentence) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The customer is Hollis & Vine Grocers.", "Hollis & Vine Grocers"),
        ("Our client here was Dunmore Freight, a regional carrier.", "Dunmore Freight"),
        ("The customer is always right.", None),
        ("Our customer was happy with it.", None),
        ("The customer is a hospital network.", None),
    ],
)
def test_customer_phrase(make_sentences, text: str, expected: str | None) -> None:  # type: ignore[no-untyped-def]
    (sentence, *_) = make_sentences(text, speaker="Presenter")
    assert customer_phrase(sentence) == expected


def test_industry_of_a_customer_described_by_the_vendor() -> None:
    assert industry_phrase("They're a grocery retail chain with 45 stores.") == "Grocery retail"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I run plant maintenance here at Marlow Textiles.", [("Marlow Textiles", "own")]),
        ("We at Oakridge Dental have nine offices.", [("Oakridge Dental", "own")]),
        ("i work for tidemark logistics on the customs side", [("Tidemark Logistics", "own")]),
        (
            "This is our second review with Fenwick Credit Union.",
            [("Fenwick Credit Union", "other")],
        ),
        ("Thanks for having me at Larkspur Foods today.", [("Larkspur Foods", "host")]),
        ("i cover the harwell county schools account", [("Harwell County Schools", "host")]),
        ("On the Fenwick side we have Rosa and Tim.", [("Fenwick", "side")]),
        ("Marlow Textiles is a family-owned apparel maker.", [("Marlow Textiles", "described")]),
        ("So, Oakridge Dental Group, we run nine offices.", [("Oakridge Dental Group", "own")]),
        # Not organisations: a person, a time, a pronoun, a thing without a sector.
        ("I'm with you on that.", []),
        ("Thanks for having me, everyone.", []),
        ("The new dashboard is a big improvement.", []),
        ("on the other side of the river", []),
    ],
)
def test_org_mentions(text: str, expected: list[tuple[str, str]]) -> None:
    assert org_mentions(text) == expected
