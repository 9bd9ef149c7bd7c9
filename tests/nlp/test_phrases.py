"""Key phrases: customer_snapshot.nlp.phrases."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from customer_snapshot.nlp.phrases import FILLERS, STOPWORDS, KeyPhraseCounter, term
from customer_snapshot.nlp.types import Sentence, Token

SentenceFactory = Callable[..., list[Sentence]]

# A payroll software onboarding call for a retail chain, written for these tests.
HR_CALL = [
    ("Priya", "Hi Tom, thanks for making the time. Um, I wanted to walk through the payroll "
     "integration first."),
    ("Tom Becker", "Sure. So, you know, the payroll integration with Paycor is the piece our "
     "finance team keeps asking about. Right now we export payroll files by hand every two "
     "weeks."),
    ("Priya", "The payroll integration syncs employee records from Paycor every night, so "
     "nobody exports payroll files by hand anymore. Payroll runs pick up the synced employee "
     "records automatically."),
    ("Tom Becker", "Okay. And what happens when the sync fails? Last year a failed payroll "
     "export delayed paychecks for two stores."),
    ("Priya", "If the nightly sync fails, the payroll administrator gets an alert and the "
     "previous employee records stay in place, so paychecks are never delayed. [crosstalk]"),
    ("Tom Becker", "Yeah, that would have saved us. The second thing is time tracking for "
     "the store staff."),
    ("Priya", "Sure. Store staff clock in on the time tracking kiosk or the mobile app, and "
     "the time tracking data flows straight into the payroll integration."),
    ("Tom Becker", "Our store managers approve timesheets on paper today. Kind of a "
     "nightmare, honestly."),
    ("Priya", "Store managers approve timesheets in the app, and overtime rules apply "
     "automatically, so overtime is calculated the same way in every store."),
    ("Tom Becker", "Uh, what about the benefits enrollment? Open enrollment starts in "
     "November."),
    ("Priya", "Benefits enrollment lives in the same employee portal. Employees compare "
     "health plans, add dependents and sign the benefits forms online, and the benefits "
     "elections feed the payroll deductions."),
    ("Tom Becker", "Paycor keeps the benefits elections too, right?"),
    ("Priya", "Right, benefits elections sync back to Paycor. During open enrollment we also "
     "staff a help line for employees."),
    ("Tom Becker", "Good. Let me check with Maria on the open enrollment dates and get back "
     "to you, Priya."),
    ("Priya", "Perfect. I'll send the payroll integration checklist and the time tracking "
     "rollout plan by Friday."),
]  # fmt: skip

# A dental practice call as a speech-to-text engine writes it: no capitals, no punctuation.
ASR_CALL = [
    "so um the front desk spends most of the morning on the phone and the insurance claims "
    "take the rest of the day",
    "yeah we send insurance claims to twelve insurance carriers and the insurance carriers "
    "deny one in five insurance claims",
    "the front desk also handles text reminders for patients and the text reminders go out "
    "two days before every visit",
    "okay so if the insurance carriers change the rules the front desk has to fix the "
    "insurance claims by hand",
]


def call_sentences(make_sentences: SentenceFactory, turns: list[tuple[str, str]]) -> list[Sentence]:
    out: list[Sentence] = []
    for turn, (speaker, text) in enumerate(turns):
        out.extend(make_sentences(text, speaker=speaker, start=len(out) * 2.0, turn=turn))
    return out


def counted(sentences: list[Sentence], **options: int) -> KeyPhraseCounter:
    counter = KeyPhraseCounter(**options)
    for sentence in sentences:
        counter.add(sentence)
    return counter


@pytest.fixture(scope="module")
def hr_sentences(make_sentences: SentenceFactory) -> list[Sentence]:
    return call_sentences(make_sentences, HR_CALL)


@pytest.fixture(scope="module")
def hr_top(hr_sentences: list[Sentence]) -> list[tuple[str, int]]:
    return counted(hr_sentences).top(50)


def test_finds_the_key_phrases_of_a_call(hr_top: list[tuple[str, int]]) -> None:
    top10 = [text for text, _ in hr_top[:10]]
    for expected in (
        "payroll integration",
        "time tracking",  # a collocation: spaCy tags "tracking" as a verb, no noun chunk
        "Paycor",  # a proper noun keeps its capitals
        "open enrollment",
        "employee records",  # the plural is how it was said
    ):
        assert expected in top10, hr_top
    assert hr_top[0] == ("payroll integration", 5)


def test_most_frequent_first(hr_top: list[tuple[str, int]]) -> None:
    counts = [count for _, count in hr_top]
    assert counts == sorted(counts, reverse=True)
    assert all(count >= 2 for count in counts)


def test_no_transcript_noise(hr_top: list[tuple[str, int]]) -> None:
    assert hr_top
    for text, _ in hr_top:
        words = text.lower().split()
        assert 1 <= len(words) <= 4, text
        assert not set(words) & FILLERS, text
        assert words[0] not in STOPWORDS, text  # no "the", "our", "two" openers
        assert not set(words) <= STOPWORDS, text
        assert "crosstalk" not in text
        # Speakers greet each other by name; names are PERSON entities, not key phrases.
        assert not {"tom", "becker", "priya", "maria"} & set(words), text
        # Dates and vague nouns belong elsewhere or nowhere.
        assert not {"weeks", "friday", "november"} & set(words), text
        assert text not in {"thing", "time", "hand", "store"}, text


def test_longer_phrase_wins_when_nearly_as_frequent(make_sentences: SentenceFactory) -> None:
    sentences = make_sentences(
        "We waived the late payment fees. The late payment fees were wrong. "
        "Finance removed the late payment fees. Late payment hurts everyone."
    )
    top = dict(counted(sentences).top())
    assert top.get("late payment fees") == 3
    assert "late payment" not in top  # 4 vs 3: close, so the longer phrase is shown
    assert "payment fees" not in top


def test_shorter_phrase_kept_when_much_more_frequent(make_sentences: SentenceFactory) -> None:
    sentences = make_sentences(
        "The dashboard is slow. I opened the dashboard again. The dashboard froze. "
        "Our dashboard needs work. The dashboard crashed. The sales dashboard is fine. "
        "We like the sales dashboard."
    )
    top = dict(counted(sentences).top())
    # The small model parses "The dashboard froze" as one noun chunk: 4 or 5 is fine.
    assert top["dashboard"] >= 4
    assert top["sales dashboard"] == 2


def test_single_words_need_a_proper_noun_or_repetition(make_sentences: SentenceFactory) -> None:
    sentences = make_sentences(
        "We moved the invoices to Oracle. The invoices live in Oracle now. "
        "The spreadsheet is gone. The spreadsheet was a mess."
    )
    top = dict(counted(sentences).top())
    assert top.get("Oracle") == 2  # proper noun said twice
    assert "spreadsheet" not in top  # common noun said only twice


def test_display_is_the_most_frequent_surface_form(make_sentences: SentenceFactory) -> None:
    sentences = make_sentences(
        "Billing errors are common. We fixed the billing errors. "
        "One billing error remains. The billing errors are gone."
    )
    top = dict(counted(sentences).top())
    assert top == {"billing errors": 4}


def test_bracketed_sound_tags_are_ignored(make_sentences: SentenceFactory) -> None:
    sentences = make_sentences(
        "[music] The invoice portal is down. [crosstalk] The invoice portal is back. "
        "(inaudible) The invoice portal works [music]."
    )
    top = dict(counted(sentences).top())
    assert list(top) == ["invoice portal"]
    assert top["invoice portal"] >= 2  # the small model tags the third "portal" ADJ


def test_speaker_names_are_not_phrases(make_sentences: SentenceFactory) -> None:
    # ASR writes names in lower case, where the model rarely sees a PERSON; the speaker
    # labels still say who is talking.
    sentences = make_sentences(
        "thanks toby so toby can you share the scrap report toby", speaker="Dana Reyes"
    ) + make_sentences(
        "sure the scrap report is ready and toby will send the scrap report today",
        speaker="Toby Wells",
        turn=1,
    )
    top = dict(counted(sentences, single_min_count=2).top())
    assert top.get("scrap report") == 3
    assert not {"toby", "Toby", "thanks"} & set(top)


def test_ampersand_names_stay_whole(make_sentences: SentenceFactory) -> None:
    sentences = make_sentences(
        "Hollis & Vine had three issues. We visited Hollis & Vine in May. "
        "The team at Hollis & Vine agreed."
    )
    top = dict(counted(sentences).top())
    assert top.get("Hollis & Vine", 0) >= 2
    assert "Hollis" not in top
    assert "Vine" not in top


def test_collocations_work_without_a_parse(make_sentences: SentenceFactory) -> None:
    # A blank pipeline or a confused parser yields no noun chunks: collocations still work.
    sentences = []
    for turn, text in enumerate(ASR_CALL):
        for s in make_sentences(text, start=turn * 10.0, turn=turn):
            sentences.append(dataclasses.replace(s, noun_chunks=[]))
    counter = counted(sentences)
    top = dict(counter.top())
    assert top["insurance claims"] == 4
    assert top["insurance carriers"] == 3
    assert top["front desk"] == 3  # "front" is a spaCy stop word, but not here
    assert top["text reminders"] == 2
    keys = [key for key, _ in counter.collocations()]
    assert "insurance claim" in keys
    scores = [score for _, score in counter.collocations()]
    assert scores == sorted(scores, reverse=True)


def test_empty_input() -> None:
    counter = KeyPhraseCounter()
    assert counter.top() == []
    assert counter.collocations() == []
    counter.add(Sentence("", None, None, 0.0, 0.0, 0, 0))
    assert counter.top() == []


def test_deterministic(hr_sentences: list[Sentence]) -> None:
    assert counted(hr_sentences).top(30) == counted(hr_sentences).top(30)


def test_term_folds_plurals_but_not_latin_singulars() -> None:
    def tok(text: str, lemma: str, pos: str = "NOUN") -> Token:
        return Token(text, text.lower(), lemma, pos, "NNS", "", 0, "", "O", 0, 0, False, False)

    assert term(tok("Invoices", "invoice")) == "invoice"
    assert term(tok("data", "datum")) == "data"
    assert term(tok("billing", "bill", "VERB")) == "billing"


# ---------------------------------------------------------------------------------------
# bounded memory
# ---------------------------------------------------------------------------------------


def _word(i: int, length: int) -> str:
    """A distinct lowercase word of exactly ``length`` letters."""
    letters = []
    for _ in range(length):
        i, rem = divmod(i, 26)
        letters.append(chr(ord("a") + rem))
    return "".join(reversed(letters))


def _renamed(template: Sentence, i: int) -> Sentence:
    """``template`` with every noun replaced by a new word of the same length.

    Same lengths keep every character offset (tokens, chunks) valid, so one spaCy parse
    yields as many distinct phrases as a test needs.
    """
    tokens = []
    for t in template.tokens:
        if t.pos == "NOUN":
            new = _word(i * 7 + t.i, len(t.text))
            t = t._replace(text=new, lower=new, lemma=new)
        tokens.append(t)
    text = list(template.text)
    for t in tokens:
        text[t.idx : t.idx + len(t.text)] = t.text
    return dataclasses.replace(template, text="".join(text), tokens=tokens)


def test_memory_does_not_grow_with_distinct_phrases(make_sentences: SentenceFactory) -> None:
    (template,) = make_sentences("The billing portal shows the invoice history of every client.")
    capacity = 60
    counter = KeyPhraseCounter(capacity=capacity)
    for i in range(capacity):
        counter.add(_renamed(template, i))
    at_capacity = counter.footprint()
    for i in range(capacity, 10 * capacity):
        counter.add(_renamed(template, i))
        assert all(size <= capacity for size in counter.footprint().values())
    assert counter.footprint() == at_capacity == dict.fromkeys(at_capacity, capacity)
    # Companion maps shrink with their counters.
    assert set(counter._chunk_forms) == set(counter._chunks)
    assert set(counter._bigram_forms) == set(counter._bigrams)


def test_repeated_phrases_survive_a_flood_of_rare_ones(make_sentences: SentenceFactory) -> None:
    (template,) = make_sentences("The billing portal shows the invoice history of every client.")
    (key_sentence,) = make_sentences("The legacy database needs a data migration.")
    # About 3 chunks a sentence: N / capacity = 3100 / 200 < 50, so Space-Saving guarantees
    # the twice-a-minute phrases stay tracked, with exact counts (tracked from the start).
    counter = KeyPhraseCounter(capacity=200)
    for i in range(1000):
        counter.add(_renamed(template, i))
        if i % 20 == 0:
            counter.add(key_sentence)
    top = counter.top(5)
    assert sorted(top) == [("data migration", 50), ("legacy database", 50)]
    # The one-off phrases have inflated estimates but no guaranteed repeat: not reported.
    assert all(count >= 2 for _, count in top)
    assert len(top) == 2
