"""Hypothesis: cues written as WebVTT or SRT read back the same; any bytes never crash."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_snapshot import SnapshotError, read_cues

FIRST = ["Ann", "Bo", "Chloé", "Dmitri", "Ewa", "Femi", "Grace", "Hiro"]
LAST = ["Lee", "Okafor", "García", "Novak", "Smith", "Tanaka"]
WORDS = ["we", "cut", "the", "backlog", "by", "42%", "in", "March", "fish & chips", "<5 ms", "ok?"]

names = st.builds(lambda f, s: f"{f} {s}", st.sampled_from(FIRST), st.sampled_from(LAST))
sentences = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)
cue_specs = st.lists(
    st.tuples(st.integers(0, 5000), st.integers(1, 9000), names, sentences), min_size=1, max_size=15
)


def ts(ms: int, sep: str = ".") -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, f = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{f:03d}"


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def timeline(specs: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    out, t = [], 0
    for gap, length, name, text in specs:
        start = t + gap
        out.append((start, start + length, name, text))
        t = start + length
    return out


@settings(max_examples=150, deadline=None)
@given(specs=cue_specs, voice=st.booleans(), crlf=st.booleans())
def test_webvtt_roundtrip(specs: list[tuple[int, int, str, str]], voice: bool, crlf: bool) -> None:
    items = timeline(specs)
    blocks = ["WEBVTT", ""]
    for i, (start, end, name, text) in enumerate(items, 1):
        body = f"<v {name}>{esc(text)}</v>" if voice else f"{name}: {esc(text)}"
        blocks += [str(i), f"{ts(start)} --> {ts(end)}", body, ""]
    data = "\n".join(blocks).encode()
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    got = list(read_cues(io.BytesIO(data)))
    assert [(round(c.start * 1000), round(c.end * 1000), c.speaker, c.text) for c in got] == items


@settings(max_examples=150, deadline=None)
@given(specs=cue_specs)
def test_srt_roundtrip(specs: list[tuple[int, int, str, str]]) -> None:
    items = timeline(specs)
    blocks = []
    previous = None
    for i, (start, end, name, text) in enumerate(items, 1):
        # SubRip exporters label only the first subtitle of a turn.
        body = text if name == previous else f"{name.upper()}: {text}"
        previous = name
        blocks += [str(i), f"{ts(start, ',')} --> {ts(end, ',')}", body, ""]
    data = "\n".join(blocks).encode()
    reader = read_cues(io.BytesIO(data))
    got = list(reader)
    assert reader.format == "srt"
    assert [(round(c.start * 1000), round(c.end * 1000), c.speaker, c.text) for c in got] == items


def _read_all(data: bytes, strict: bool) -> None:
    try:
        for cue in read_cues(io.BytesIO(data), strict=strict):
            assert isinstance(cue.text, str) and cue.end == cue.end  # not NaN
    except SnapshotError:
        pass


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), strict=st.booleans())
def test_fuzz_any_bytes_gives_cues_or_snapshot_error(data: bytes, strict: bool) -> None:
    _read_all(data, strict)
    _read_all(b"WEBVTT\n\n" + data, strict)


SEEDS = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "quirks").iterdir())


@settings(max_examples=300, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.binary(max_size=4)), max_size=8),
    strict=st.booleans(),
)
def test_fuzz_mutated_fixtures(seed: Path, edits: list[tuple[int, bytes]], strict: bool) -> None:
    data = bytearray(seed.read_bytes())
    for pos, chunk in edits:
        pos %= len(data) + 1
        data[pos : pos + len(chunk)] = chunk
    _read_all(bytes(data), strict)
