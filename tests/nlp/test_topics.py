"""Topic segmentation: customer_snapshot.nlp.topics."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from itertools import pairwise

import pytest

from customer_snapshot.nlp.topics import Topic, TopicSegmenter
from customer_snapshot.nlp.types import Sentence

SentenceFactory = Callable[..., list[Sentence]]

# A freight company's call with its fleet-software vendor, written for these tests: billing
# problems, then the data migration, then the training plan (about 700 words).
BILLING = [
    (
        "Dana",
        (
            "Thanks for joining, Marcus. Before we get into the project plan, I know the "
            "billing issues have been frustrating, so let's start there."
        ),
    ),
    (
        "Marcus",
        (
            "Yeah, um, honestly the billing has been a mess since March. We got three "
            "invoices for the same month, and two of them had duplicate charges for the fleet"
            " tracking licenses."
        ),
    ),
    (
        "Dana",
        (
            "I saw that. The duplicate charges came from a bug in our billing system when "
            "your account moved to the annual plan. Our finance team has already issued a "
            "credit for the duplicate charges."
        ),
    ),
    (
        "Marcus",
        (
            "Okay, good. The bigger problem is that the invoices do not match our purchase "
            "orders. Our accounts payable team rejects any invoice without a purchase order "
            "number, so every invoice bounced back."
        ),
    ),
    (
        "Dana",
        (
            "That makes sense. We can add the purchase order number to every invoice going "
            "forward. I will also set up a single consolidated invoice per month instead of "
            "separate invoices for each depot."
        ),
    ),
    (
        "Marcus",
        (
            "A consolidated invoice would help a lot. And, you know, the late payment fees "
            "should be removed too, because the late payments were caused by the rejected "
            "invoices."
        ),
    ),
    (
        "Dana",
        (
            "Agreed. I will ask finance to waive the late payment fees and send you a "
            "corrected billing statement by Friday."
        ),
    ),
    (
        "Marcus",
        (
            "Perfect. If the billing statement shows the credit and the waived fees, accounts"
            " payable can close this out. [crosstalk]"
        ),
    ),
    (
        "Dana",
        (
            "Great. So billing is sorted: the credit is issued, purchase order numbers go on "
            "every invoice, you get one consolidated invoice, and the late payment fees are "
            "waived."
        ),
    ),
]

MIGRATION = [
    (
        "Dana",
        (
            "Now let's talk about the data migration. Where are you with exporting the "
            "shipment records from the legacy database?"
        ),
    ),
    (
        "Marcus",
        (
            "We exported about four million shipment records from the old Oracle database "
            "last week. The export took two days, and our database administrator found that "
            "around five percent of the records have broken customer addresses."
        ),
    ),
    (
        "Dana",
        (
            "Broken addresses are common with legacy systems. Our migration scripts can run a"
            " validation pass that flags every record with a missing postal code or an "
            "invalid address, and your team can fix them in a spreadsheet before the import."
        ),
    ),
    ("Marcus", "How long does the validation pass take on four million records?"),
    (
        "Dana",
        (
            "Usually a few hours. Then we load the cleaned records into a staging "
            "environment, reconcile the record counts against the legacy database, and only "
            "then schedule the cutover."
        ),
    ),
    (
        "Marcus",
        (
            "The cutover worries me. Our dispatchers cannot lose access to shipment history "
            "during peak season."
        ),
    ),
    (
        "Dana",
        (
            "That is why we recommend a weekend cutover with a rollback plan. The legacy "
            "database stays read only for thirty days, so nobody loses shipment history, and "
            "if the reconciliation fails we roll back to the old database."
        ),
    ),
    (
        "Marcus",
        ("Okay. And the migration includes the driver records and the route history, right?"),
    ),
    (
        "Dana",
        (
            "Yes, driver records, route history, customer accounts and the shipment records "
            "all move in the same migration. We will send you a migration checklist with the "
            "field mappings so your database administrator can check every table."
        ),
    ),
]

TRAINING = [
    ("Dana", "The last thing on my list is the training plan for your dispatchers and drivers."),
    (
        "Marcus",
        (
            "Right. We have about sixty dispatchers across four depots, and most of them have"
            " used the old software for ten years. Training is honestly my biggest concern."
        ),
    ),
    (
        "Dana",
        (
            "We usually start with a train the trainer program. Two super users from each "
            "depot attend a two day workshop, and then they run the training sessions for "
            "their own teams."
        ),
    ),
    ("Marcus", "I like that. The dispatchers trust their own people more than outside trainers."),
    (
        "Dana",
        (
            "Exactly. We also provide short video lessons and a sandbox where dispatchers can"
            " practice creating loads and assigning drivers without touching live data."
        ),
    ),
    (
        "Marcus",
        (
            "What about the drivers? They only use the mobile app, and many of them are not "
            "comfortable with smartphones."
        ),
    ),
    (
        "Dana",
        (
            "For drivers we run twenty minute sessions at the depot during shift changes, "
            "with printed quick reference cards. Drivers learn the mobile app fastest when a "
            "trainer walks them through a real delivery."
        ),
    ),
    ("Marcus", "Can we track who completed the training?"),
    (
        "Dana",
        (
            "Yes. The learning portal tracks completion for every workshop and video lesson, "
            "and your depot managers get a weekly training report. Most customers reach full "
            "training completion within six weeks."
        ),
    ),
    (
        "Marcus",
        (
            "Great, let's schedule the first workshop for the super users in early May, right"
            " after the cutover."
        ),
    ),
]

# A dental practice's call as a speech-to-text engine writes it: lower case, no punctuation,
# one sentence per turn (about 400 words): scheduling, insurance claims, reminders.
CLINIC = [
    (
        "Speaker 1",
        (
            "so um thanks for making time today i wanted to start with the appointment "
            "scheduling because that is where the front desk is struggling"
        ),
    ),
    (
        "Speaker 2",
        (
            "yeah the front desk spends most of the morning on the phone booking appointments"
            " and patients call back to reschedule appointments all the time so the schedule "
            "changes every hour"
        ),
    ),
    (
        "Speaker 1",
        (
            "right and the online booking page would let patients pick an open appointment "
            "slot themselves and the schedule updates for every dentist automatically"
        ),
    ),
    (
        "Speaker 2",
        (
            "okay can the online booking respect the hygienist schedule too because cleanings"
            " are booked with the hygienist not the dentist"
        ),
    ),
    (
        "Speaker 1",
        (
            "yes each hygienist gets their own schedule and patients only see the appointment"
            " slots that match the type of visit they choose"
        ),
    ),
    ("Speaker 2", "that would free up the front desk a lot honestly the phone is the bottleneck"),
    (
        "Speaker 1",
        (
            "um so the second thing on my list is insurance claims you mentioned denied "
            "claims last time"
        ),
    ),
    (
        "Speaker 2",
        (
            "yeah we submit claims to about twelve insurance carriers and one in five claims "
            "gets denied usually because of a missing procedure code or an expired insurance "
            "policy"
        ),
    ),
    (
        "Speaker 1",
        (
            "the claims module checks every claim against the carrier rules before submission"
            " so a missing procedure code gets flagged before the claim goes out"
        ),
    ),
    (
        "Speaker 2",
        ("does it verify the insurance policy too like whether the coverage is still active"),
    ),
    (
        "Speaker 1",
        (
            "it runs an eligibility check with the insurance carrier the day before the "
            "appointment so expired coverage shows up early and the billing coordinator can "
            "call the patient"
        ),
    ),
    (
        "Speaker 2",
        (
            "our billing coordinator would love that she spends hours on the phone with "
            "insurance carriers fixing denied claims"
        ),
    ),
    (
        "Speaker 1",
        "and resubmitting a corrected claim is one click so denied claims get paid faster",
    ),
    (
        "Speaker 2",
        (
            "okay the last thing is no shows we lose a lot of revenue when patients forget "
            "their appointment"
        ),
    ),
    (
        "Speaker 1",
        (
            "the reminder service sends a text message reminder two days before and a second "
            "text reminder the morning of the visit"
        ),
    ),
    ("Speaker 2", "can patients confirm or cancel from the text message"),
    (
        "Speaker 1",
        (
            "yes they reply to confirm or cancel and a cancelled slot goes straight to the "
            "waitlist so another patient can take it"
        ),
    ),
    (
        "Speaker 2",
        (
            "we tried email reminders before and nobody read them so text reminders sound "
            "much better"
        ),
    ),
    (
        "Speaker 1",
        (
            "most practices cut no shows by about a third in the first three months with text"
            " reminders and the waitlist"
        ),
    ),
    ("Speaker 2", "great lets turn on the text reminders first and the waitlist after that"),
]

FREIGHT_CALL = BILLING + MIGRATION + TRAINING
BILLING_KEYWORDS = {"invoice", "billing", "charge", "payment", "fee", "credit", "order"}
MIGRATION_KEYWORDS = {"record", "database", "migration", "shipment", "history", "cutover"}
TRAINING_KEYWORDS = {"training", "trainer", "workshop", "dispatcher", "driver", "session"}


def call_sentences(make_sentences: SentenceFactory, turns: list[tuple[str, str]]) -> list[Sentence]:
    """Sentences of a call, 2 s each, one turn per entry."""
    out: list[Sentence] = []
    for turn, (speaker, text) in enumerate(turns):
        out.extend(make_sentences(text, speaker=speaker, start=len(out) * 2.0, turn=turn))
    return out


def first_start(sentences: list[Sentence], opening: str) -> float:
    return next(s.start for s in sentences if s.text.startswith(opening))


def segment(sentences: list[Sentence], **options: int) -> list[Topic]:
    segmenter = TopicSegmenter(**options)
    for sentence in sentences:
        segmenter.add(sentence)
    return segmenter.finish()


def assert_timeline(topics: list[Topic], sentences: list[Sentence]) -> None:
    """Topics are in time order, do not overlap, and cover the call from start to end."""
    assert topics
    assert topics[0].start == sentences[0].start
    assert topics[-1].end == max(s.end for s in sentences)
    for topic in topics:
        assert topic.start < topic.end
    for prev, nxt in pairwise(topics):
        assert prev.end <= nxt.start
        assert nxt.start - prev.end <= 2.0  # no holes beyond the pause between sentences


def repeated(sentences: list[Sentence], times: int) -> Iterator[Sentence]:
    """The call said ``times`` times in a row: a long call from a short text."""
    span = sentences[-1].end + 2.0
    for r in range(times):
        for s in sentences:
            yield dataclasses.replace(
                s, start=s.start + r * span, end=s.end + r * span, turn=s.turn + r * 1000
            )


@pytest.fixture(scope="module")
def freight(make_sentences: SentenceFactory) -> list[Sentence]:
    return call_sentences(make_sentences, FREIGHT_CALL)


@pytest.fixture(scope="module")
def clinic(make_sentences: SentenceFactory) -> list[Sentence]:
    return call_sentences(make_sentences, CLINIC)


# ---------------------------------------------------------------------------------------
# segmentation quality
# ---------------------------------------------------------------------------------------


def test_finds_the_topics_of_a_call(freight: list[Sentence]) -> None:
    topics = segment(freight)
    assert len(topics) == 3, topics
    assert_timeline(topics, freight)
    # Boundaries fall at the real changes of subject, give or take one sentence (2 s).
    migration = first_start(freight, "Now let's talk about the data migration")
    training = first_start(freight, "The last thing on my list")
    assert topics[1].start == pytest.approx(migration, abs=2.0)
    assert topics[2].start == pytest.approx(training, abs=2.0)
    # Keywords say what each stretch was about.
    assert len(set(topics[0].keywords) & BILLING_KEYWORDS) >= 3, topics[0]
    assert len(set(topics[1].keywords) & MIGRATION_KEYWORDS) >= 3, topics[1]
    assert len(set(topics[2].keywords) & TRAINING_KEYWORDS) >= 3, topics[2]


def test_unpunctuated_asr_call(clinic: list[Sentence]) -> None:
    topics = segment(clinic)
    assert_timeline(topics, clinic)
    assert len(topics) == 3, topics
    claims = first_start(clinic, "um so the second thing on my list is insurance claims")
    reminders = first_start(clinic, "okay the last thing is no shows")
    assert topics[1].start == pytest.approx(claims, abs=2.0)
    assert topics[2].start == pytest.approx(reminders, abs=2.0)
    assert {"schedule", "appointment", "booking", "hygienist"} & set(topics[0].keywords)
    assert {"claim", "insurance", "carrier"} & set(topics[1].keywords)
    assert {"reminder", "text", "waitlist"} & set(topics[2].keywords)


def test_one_unpunctuated_monologue(make_sentences: SentenceFactory) -> None:
    # No turns and no punctuation at all: one block of lower-case words.
    text = " ".join(text for _, text in CLINIC)
    sentences = make_sentences(text, speaker=None)
    topics = segment(sentences)
    assert_timeline(topics, sentences)
    assert 1 <= len(topics) <= 3


def test_speaker_names_are_not_keywords(make_sentences: SentenceFactory) -> None:
    sentences = make_sentences(
        "ellie the attendance report shows ellie that chronic absence is down ellie",
        speaker="Ellie Dawson",
    ) + make_sentences(
        "thanks ellie the attendance report goes to the board ellie", speaker="Gabe", turn=1
    )
    (topic,) = segment(sentences)
    assert "ellie" not in topic.keywords
    assert "attendance" in topic.keywords or "report" in topic.keywords


def test_titles_come_from_keywords(freight: list[Sentence]) -> None:
    for topic in segment(freight, keywords=4):
        assert len(topic.keywords) == 4
        assert len(set(topic.keywords)) == 4
        title = ", ".join(topic.keywords[:3])
        assert topic.title == title[:1].upper() + title[1:]


def test_window_size_does_not_change_the_answer(freight: list[Sentence]) -> None:
    # Windows smaller than the call (about 700 words): topics that cross a window edge are
    # carried over and judged whole.
    whole = segment(freight)
    assert segment(freight, window_words=500) == whole
    # A window barely larger than a topic sees less context: the same topics, a boundary
    # may move by a few sentences.
    small = segment(freight, window_words=300)
    for a, b in zip(small, whole, strict=True):
        assert a.start == pytest.approx(b.start, abs=6.0)
        assert len(set(a.keywords[:3]) & set(b.keywords[:3])) >= 2


def test_max_topics_merges_neighbours(freight: list[Sentence]) -> None:
    (only,) = segment(freight, max_topics=1)
    assert only.start == freight[0].start
    assert only.end == freight[-1].end
    two = segment(freight, max_topics=2)
    assert len(two) == 2
    assert_timeline(two, freight)


def test_deterministic(freight: list[Sentence]) -> None:
    assert segment(freight) == segment(freight)


# ---------------------------------------------------------------------------------------
# small and degenerate inputs
# ---------------------------------------------------------------------------------------


def test_empty_call() -> None:
    assert TopicSegmenter().finish() == []


def test_sound_tags_only(make_sentences: SentenceFactory) -> None:
    assert segment(make_sentences("[music] [applause]")) == []


def test_short_call_is_one_topic(make_sentences: SentenceFactory) -> None:
    sentences = make_sentences(
        "Thanks for joining. The invoice total was wrong again. Finance will resend the "
        "invoice with the credit by Friday.",
        start=5.0,
    )
    (topic,) = segment(sentences)
    assert topic.start == 5.0
    assert topic.end == sentences[-1].end
    assert topic.keywords[0] == "invoice"
    assert topic.title.startswith("Invoice")


def test_words_without_content(make_sentences: SentenceFactory) -> None:
    (topic,) = segment(make_sentences("Yeah. Okay. Um, so, yeah."))
    assert topic.keywords == ()
    assert topic.title == "Discussion"


def test_rejects_bad_options() -> None:
    with pytest.raises(ValueError, match="window_words"):
        TopicSegmenter(window_words=0)
    with pytest.raises(ValueError, match="max_topics"):
        TopicSegmenter(max_topics=0)


def test_topic_json_form() -> None:
    topic = Topic("Invoice, billing, credit", 0.1234, 95.25, ("invoice", "billing", "credit"))
    data = topic.to_dict()
    assert data == {
        "title": "Invoice, billing, credit",
        "start": 0.123,
        "end": 95.25,
        "keywords": ["invoice", "billing", "credit"],
    }
    json.dumps(data)
    with pytest.raises(dataclasses.FrozenInstanceError):
        topic.title = "x"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------
# bounded memory
# ---------------------------------------------------------------------------------------


def test_memory_does_not_grow_with_the_call(freight: list[Sentence]) -> None:
    window, max_topics, df_capacity = 400, 6, 60
    longest = max(s.word_count for s in freight)

    def peak(times: int) -> tuple[dict[str, int], list[Topic]]:
        segmenter = TopicSegmenter(
            window_words=window, max_topics=max_topics, df_capacity=df_capacity
        )
        high: dict[str, int] = {}
        for sentence in repeated(freight, times):
            segmenter.add(sentence)
            now = segmenter.footprint()
            for key, value in now.items():
                high[key] = max(high.get(key, 0), value)
        return high, segmenter.finish()

    once, _ = peak(1)
    tenfold, topics = peak(10)
    # The window never holds more than a window plus one pseudo-sentence.
    assert tenfold["window_words"] <= window + 20 + longest
    assert tenfold["topics"] <= max_topics
    assert tenfold["df_terms"] <= df_capacity
    assert tenfold["segment_terms"] <= max_topics * 400
    # Ten times the call, the same caps: only the topic list filled up to its bound.
    assert tenfold["window_words"] <= once["window_words"] + longest
    assert len(topics) == max_topics
    stream = list(repeated(freight, 10))
    assert_timeline(topics, stream)


def test_long_call_keeps_finding_topics(freight: list[Sentence]) -> None:
    # Three subjects said three times: nine stretches, found across several windows.
    stream = list(repeated(freight, 3))
    topics = segment(stream, window_words=500)
    assert_timeline(topics, stream)
    assert len(topics) == 9, [t.title for t in topics]
    for k, topic in enumerate(topics):
        expected = (BILLING_KEYWORDS, MIGRATION_KEYWORDS, TRAINING_KEYWORDS)[k % 3]
        assert len(set(topic.keywords) & expected) >= 2, topic
