"""The streaming reader on one fixture file per real-world quirk."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from customer_snapshot import Cue, SnapshotError, TranscriptFormatError, read_cues

QUIRKS = Path(__file__).resolve().parent.parent / "fixtures" / "quirks"


def cues_of(name: str, **kwargs: object) -> list[Cue]:
    return list(read_cues(QUIRKS / name, **kwargs))  # type: ignore[arg-type]


def test_zoom_name_prefix_in_every_cue() -> None:
    cues = cues_of("zoom.vtt")
    assert [c.identifier for c in cues] == ["1", "2", "3"]
    assert [c.speaker for c in cues] == ["Maya Chen", "Tomás Rivera", "Maya Chen"]
    assert cues[1].text == "Loud and clear. Thanks for setting this up, Maya."
    # A colon later in the sentence is text, not a second label.
    assert cues[2].text == "Sure. Here's the agenda: pilot results first, then the rollout."
    assert (cues[0].start, cues[0].end, cues[0].line) == (1.02, 4.5, 4)


def test_teams_voice_tags_with_pronouns_and_two_line_cues() -> None:
    cues = cues_of("teams_closed_v.vtt")
    assert cues[0].identifier == "6f1c2a9e-1b3d-4c8e-9a7f-0d2e4b6c8a10/12-0"
    assert [c.speaker for c in cues] == ["Priya Natarajan", "Priya Natarajan", "Owen Fitzgerald"]
    assert cues[0].role is None  # "(She/Her)" is a pronoun suffix, not a role
    assert cues[1].text == "We have three items today, starting with the adoption numbers."
    assert cues[1].raw_text.startswith("<v Priya Natarajan (She/Her)>We have")


def test_teams_unclosed_voice_tag() -> None:
    cues = cues_of("teams_unclosed_v.vtt")
    assert [(c.speaker, c.text) for c in cues] == [
        ("Aiko Tanaka", "Did the export finish overnight?"),
        ("Bruno Costa", "It did, all forty stores loaded."),
    ]


def test_teams_unpadded_times_lenient_only() -> None:
    cues = cues_of("teams_times.vtt")
    assert [(c.start, c.end) for c in cues] == [(13.54, 16.2), (62.5, 65.75)]
    reader = read_cues(QUIRKS / "teams_times.vtt", strict=True)
    assert list(reader) == []  # the spec ignores blocks whose timings do not parse
    assert [p.line for p in reader.errors] == [3, 6]


def test_youtube_rolling_captions_each_line_once() -> None:
    reader = read_cues(QUIRKS / "youtube_autocaptions.vtt")
    cues = list(reader)
    assert [c.text for c in cues] == [
        "[Music]",
        "welcome back everyone today",
        "we're looking at the pilot",
        "results from march",
    ]
    assert reader.duplicates_dropped == 1  # the 10 ms snapshot cue
    assert cues[1].start == 3.1
    assert all(c.speaker is None for c in cues)
    assert cues[1].settings == {"align": "start", "position": "0%"}
    # Strict mode is the spec: every cue, rolling lines and all.
    assert len(list(read_cues(QUIRKS / "youtube_autocaptions.vtt", strict=True))) == 5


def test_subrip_prefix_only_on_first_subtitle_of_a_turn() -> None:
    reader = read_cues(QUIRKS / "subrip.srt")
    cues = list(reader)
    assert reader.format == "srt"
    assert [c.identifier for c in cues] == ["1", "2", "3"]
    assert [c.speaker for c in cues] == ["Helen Park", "Helen Park", "Raj Mehta"]
    assert cues[0].text == "We cut the backlog by half in six weeks."
    assert cues[2].text == "Impressive. What’s next?"
    assert (cues[0].start, cues[0].end) == (1.0, 4.2)


def test_subrip_cp1252_is_decoded_with_a_warning() -> None:
    reader = read_cues(QUIRKS / "cp1252.srt")
    cues = list(reader)
    assert cues[0].speaker == "José Alvarez"
    assert cues[0].text == "Señora Ruiz approved the café budget – €500."
    assert reader.encoding == "utf-8+cp1252"
    assert any("cp1252" in p.message and p.severity == "warning" for p in reader.problems)


@pytest.mark.parametrize("strict", [False, True])
def test_bom_is_stripped(strict: bool) -> None:
    cues = cues_of("bom.vtt", strict=strict)
    assert len(cues) == 1 and cues[0].speaker == "Sam"


def test_crlf_line_endings() -> None:
    cues = cues_of("crlf.vtt")
    assert cues[0].raw_text == "Nora Blake: Windows line endings\nacross two lines."
    assert cues[0].text == "Windows line endings across two lines."
    assert cues[1].line == 9  # WEBVTT, blank, id, timing, 2 text, blank, id, timing


def test_entities_decoded_in_text_kept_in_raw_text() -> None:
    cues = cues_of("entities.vtt")
    assert cues[0].text == "R&D said latency is <5 ms & falling > fast."
    assert "&amp;" in cues[0].raw_text
    assert cues[1].text == 'Really "fast" — like 2x.'


def test_name_role_labels_and_colons_that_are_not_labels() -> None:
    cues = cues_of("name_role.vtt")
    assert (cues[0].speaker, cues[0].role) == ("Dana Whitaker", "VP Operations")
    assert (cues[1].speaker, cues[1].role) == ("Luis de la Cruz", "Solutions Architect")
    assert cues[1].text == "Happy to walk through the design."
    # "10:30 Meeting:" starts with a time: text, and in WebVTT an unlabelled cue has no speaker.
    assert cues[2].text == "10:30 Meeting: this line starts with a time, not a speaker."
    assert cues[2].speaker is None
    assert cues[3].text == "Here is the plan: we migrate in two waves."


def test_missing_header_lenient_but_not_strict() -> None:
    cues = cues_of("no_header.vtt")
    assert [c.speaker for c in cues] == ["Speaker 1", "Speaker 2"]
    with pytest.raises(TranscriptFormatError) as err:
        cues_of("no_header.vtt", strict=True)
    assert err.value.line == 1 and err.value.path.endswith("no_header.vtt")


def test_notes_style_blocks_and_cue_settings() -> None:
    reader = read_cues(QUIRKS / "notes_style_settings.vtt", strict=True)
    cues = list(reader)
    assert len(cues) == 2
    assert cues[0].settings == {"align": "start", "position": "10%", "line": "85%"}
    assert reader.problems == []


def test_speaker_map_renames() -> None:
    cues = cues_of("no_header.vtt", speaker_map={"speaker 1": "Jane Doe"})
    assert [c.speaker for c in cues] == ["Jane Doe", "Speaker 2"]


class Trickle(io.RawIOBase):
    """A stream that returns 1-3 bytes per read."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos, self.n = data, 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf: bytearray) -> int:  # type: ignore[override]
        self.n = self.n % 3 + 1
        k = min(len(buf), self.n, len(self.data) - self.pos)
        buf[:k] = self.data[self.pos : self.pos + k]
        self.pos += k
        return k


@pytest.mark.parametrize("name", sorted(p.name for p in QUIRKS.iterdir()))
def test_same_cues_from_path_stream_trickle_and_text(name: str) -> None:
    path = QUIRKS / name
    data = path.read_bytes()
    expected = list(read_cues(path))
    assert expected
    assert list(read_cues(io.BytesIO(data))) == expected
    assert list(read_cues(Trickle(data))) == expected  # type: ignore[arg-type]
    if name != "cp1252.srt":
        text = io.StringIO(data.decode("utf-8"), newline="")
        assert list(read_cues(text)) == expected


class Endless(io.RawIOBase):
    """An endless WebVTT stream that counts the bytes handed out."""

    def __init__(self) -> None:
        self.served = 0
        self.i = 0
        self.buf = b"WEBVTT\n\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buf: bytearray) -> int:  # type: ignore[override]
        while len(self.buf) < len(buf):
            s = self.i
            self.buf += (
                f"{s // 60:02d}:{s % 60:02d}.000 --> {s // 60:02d}:{s % 60:02d}.900\n"
                f"<v Ann>cue {self.i}\n\n".encode()
            )
            self.i = (self.i + 1) % 3600
        k = len(buf)
        buf[:k], self.buf = self.buf[:k], self.buf[k:]
        self.served += k
        return k


def test_reader_is_lazy_on_an_endless_stream() -> None:
    stream = Endless()
    reader = read_cues(stream)  # type: ignore[arg-type]
    first = [next(reader) for _ in range(5)]
    assert [c.text for c in first] == [f"cue {i}" for i in range(5)]
    assert stream.served <= 3 * (1 << 20)  # a block or two, not the whole stream


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02garbage", b"just some text\nand more\n", b"WEBVTT\x0c\n"],
)
def test_not_a_transcript_raises_format_error_with_line(data: bytes) -> None:
    with pytest.raises(TranscriptFormatError) as err:
        list(read_cues(io.BytesIO(data), strict=data.startswith(b"WEBVTT")))
    assert err.value.line == 1
    assert isinstance(err.value, SnapshotError)


def test_missing_file_is_a_format_error() -> None:
    with pytest.raises(TranscriptFormatError, match="cannot open"):
        list(read_cues("/nonexistent/x.vtt"))


def test_nul_becomes_replacement_character() -> None:
    data = b"WEBVTT\n\n00:00.000 --> 00:01.000\na\x00b\n"
    (cue,) = read_cues(io.BytesIO(data), strict=True)
    assert cue.raw_text == "a\ufffdb"


@pytest.mark.parametrize(
    ("timing", "ok"),
    [
        ("00:00.000 --> 00:01.000", True),
        ("00:00:00.000 --> 00:00:01.000", True),
        ("100:00:00.000 --> 100:00:01.000", True),
        ("60:00.000 --> 61:00.000", False),  # minutes >= 60 need an hours field
        ("00:60.000 --> 01:00.000", False),
        ("00:00.00 --> 00:01.000", False),
        ("00:00.0000 --> 00:01.000", False),
        ("0:00.000 --> 0:01.000", False),
        ("00:00.000-->00:01.000", True),
        ("00:00.000 -> 00:01.000", False),
    ],
)
def test_strict_timestamp_syntax(timing: str, ok: bool) -> None:
    data = f"WEBVTT\n\n{timing}\ntext\n".encode()
    assert len(list(read_cues(io.BytesIO(data), strict=True))) == int(ok)


def test_cue_without_blank_line_before_next_timing() -> None:
    data = b"WEBVTT\n\n00:00.000 --> 00:01.000\none\n00:01.000 --> 00:02.000\ntwo\n"
    assert [c.raw_text for c in read_cues(io.BytesIO(data), strict=True)] == ["one", "two"]


@pytest.mark.parametrize("name", sorted(p.name for p in QUIRKS.iterdir()))
def test_seed_api_streaming_vtt_reader_yields_the_same_cues(name: str) -> None:
    from customer_snapshot.utils.memory_optimizer import StreamingVTTReader

    path = QUIRKS / name
    assert list(StreamingVTTReader().read_streaming(str(path))) == list(read_cues(path))
