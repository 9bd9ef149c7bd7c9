"""open_transcript: hash and size while streaming; size limit."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from customer_snapshot import InputTooLargeError
from customer_snapshot.io.source import open_transcript

QUIRKS = Path(__file__).resolve().parent.parent / "fixtures" / "quirks"


def test_hash_and_bytes_match_the_file() -> None:
    path = QUIRKS / "zoom.vtt"
    reader, hashing, info = open_transcript(path)
    assert len(list(reader)) == 3
    assert hashing.sha256.hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert hashing.bytes_read == path.stat().st_size == info.size_hint
    assert info.name == "zoom.vtt"


def test_stream_source() -> None:
    data = (QUIRKS / "subrip.srt").read_bytes()
    reader, hashing, info = open_transcript(io.BytesIO(data), name="call.srt")
    assert [c.speaker for c in reader][-1] == "Raj Mehta"
    assert hashing.bytes_read == len(data) and info.size_hint is None


def test_size_limit() -> None:
    with pytest.raises(InputTooLargeError) as err:
        open_transcript(QUIRKS / "zoom.vtt", max_bytes=10)
    assert err.value.limit == 10 and "MAX_FILE_SIZE" in str(err.value)
