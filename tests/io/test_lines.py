"""Incremental line splitting gives the same lines however the input is cut."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from customer_snapshot.io.lines import (
    LineSource,
    iter_binary_blocks,
    iter_lines,
    iter_text_blocks,
    sniff_format,
)


def reference(data: bytes) -> list[str]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        return []
    lines = text.split("\n")
    return lines[:-1] if text.endswith("\n") else lines


def reader(data: bytes, sizes: list[int]) -> io.RawIOBase:
    class R(io.RawIOBase):
        pos = 0
        i = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buf: bytearray) -> int:  # type: ignore[override]
            n = sizes[self.i % len(sizes)]
            self.i += 1
            k = min(len(buf), n, len(data) - self.pos)
            buf[:k] = data[self.pos : self.pos + k]
            self.pos += k
            return k

    return R()


alphabet = st.sampled_from([b"a", b"b", b" ", b"\r", b"\n", b"\x00", b"\xc3\xa9", b"-->", b"\xff"])


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(alphabet, max_size=60),
    sizes=st.lists(st.integers(1, 7), min_size=1, max_size=5),
    bom=st.booleans(),
)
def test_binary_lines_match_reference_for_any_cut(
    parts: list[bytes], sizes: list[int], bom: bool
) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + b"".join(parts)
    got = list(iter_lines(iter_binary_blocks(reader(data, sizes).read, block_size=4)))
    src = LineSource(iter_binary_blocks(reader(data, sizes).read, block_size=4))
    via_source = []
    while (line := src.next()) is not None:
        via_source.append(line)
    assert via_source == got and src.lineno == len(got)
    assert got == reference(data)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab \r\n\x00é")), max_size=60))
def test_text_lines_match_reference(text: str) -> None:
    stream = io.StringIO(text, newline="")
    got = list(iter_lines(iter_text_blocks(lambda n: stream.read(min(n, 3)), block_size=3)))
    assert got == reference(text.encode("utf-8"))


def test_sniff() -> None:
    assert sniff_format(b"\xef\xbb\xbfWEBVTT\n") == "webvtt"
    assert sniff_format(b"\n\n1\n00:00:01,000 --> 00:00:02,000\nx") == "srt"
    assert sniff_format(b"00:00:01.000 --> 00:00:02.000\nx") == "unknown"
    assert sniff_format(b"") == "unknown"
