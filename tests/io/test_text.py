"""Cue payload -> plain text and speaker."""

from __future__ import annotations

import pytest

from customer_snapshot.io.text import analyze_payload, plain_text, split_speaker_label


@pytest.mark.parametrize(
    ("text", "speaker", "role", "rest"),
    [
        ("Maya Chen: Good morning.", "Maya Chen", None, "Good morning."),
        ("GRANT HOLLOWAY: Morning, everybody.", "Grant Holloway", None, "Morning, everybody."),
        ("Speaker 3: yeah", "Speaker 3", None, "yeah"),
        ("SPEAKER_01: hello", "Speaker 1", None, "hello"),
        ("Ana (CFO): We approved it.", "Ana", "CFO", "We approved it."),
        ("Sam Lee (He/Him): hi", "Sam Lee", None, "hi"),
        ("Jean-Luc O'Neil: oui", "Jean-Luc O'Neil", None, "oui"),
        ("Luis de la Cruz: hola", "Luis de la Cruz", None, "hola"),
        # Not speakers: times, sentences, field labels, lower-case words.
        ("10:30 Meeting: starts", None, None, "10:30 Meeting: starts"),
        ("Here is the plan: ship it", None, None, "Here is the plan: ship it"),
        ("Company Location: Denver", None, None, "Company Location: Denver"),
        ("Note: recorded", None, None, "Note: recorded"),
        ("the thing is: we wait", None, None, "the thing is: we wait"),
        ("Ratio 3:1 is fine", None, None, "Ratio 3:1 is fine"),
        ("No colon here", None, None, "No colon here"),
    ],
)
def test_split_speaker_label(text: str, speaker: str | None, role: str | None, rest: str) -> None:
    assert split_speaker_label(text) == (speaker, role, rest)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("<c.yellow>coloured</c> <b>bold</b> <u>u</u>", "coloured bold u"),
        ("<ruby>漢<rt>kan</rt></ruby>", "漢kan"),
        ("<lang en-GB>colour</lang>", "colour"),
        ("a<00:00:01.500><c> b</c>", "a b"),
        ("x &lt; y &amp;&amp; z", "x < y && z"),
        ("latency < 5 ms", "latency < 5 ms"),
        ("  two\n  lines  ", "two lines"),
        ("&lrm;mark&rlm;", "mark"),
    ],
)
def test_plain_text(raw: str, text: str) -> None:
    assert plain_text(raw) == text


def test_voice_tag_wins_and_duplicate_label_is_removed() -> None:
    assert analyze_payload("<v Ann Wu>Ann Wu: we are live</v>") == ("we are live", "Ann Wu", None)


def test_script_tags_in_text_are_stripped_but_escaped_ones_survive() -> None:
    # A transcript is untrusted input: renderers escape it; the reader must keep &lt;script&gt;
    # as literal text so it shows as text.
    text, _, _ = analyze_payload("<v Eve>&lt;script&gt;alert(1)&lt;/script&gt; &amp; done")
    assert text == "<script>alert(1)</script> & done"
