"""Turn a byte or text stream into lines, one block of input at a time.

The WebVTT spec normalises CR LF and lone CR to LF before parsing, replaces NUL with U+FFFD
and strips one UTF-8 byte order mark. We do the same incrementally, so a file of any size is
read in fixed-size blocks and a stream that trickles a few bytes per read gives the same lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import IO, AnyStr

__all__ = [
    "BLOCK_SIZE",
    "LineSource",
    "iter_binary_blocks",
    "iter_lines",
    "iter_text_blocks",
    "sniff_format",
]

BLOCK_SIZE = 1 << 20  # 1 MiB: large enough for speed, small enough to keep memory flat
_BOM = b"\xef\xbb\xbf"
_SRT_TIMING = re.compile(rb"^\s*\d+:\d{1,2}:\d{1,2}[,.]\d+\s*-->")


def sniff_format(head: bytes) -> str:
    """Guess the format from the first bytes of a file: ``webvtt``, ``srt`` or ``unknown``.

    >>> sniff_format(b"WEBVTT\\n\\n00:01.000 --> 00:02.000\\nhi")
    'webvtt'
    >>> sniff_format(b"1\\r\\n00:00:01,000 --> 00:00:02,000\\r\\nhi")
    'srt'
    """
    if head.startswith(_BOM):
        head = head[3:]
    lines = [ln.strip() for ln in head.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")]
    lines = [ln for ln in lines[:50] if ln]
    if not lines:
        return "unknown"
    if lines[0][:6].upper() == b"WEBVTT":
        return "webvtt"
    for i, ln in enumerate(lines[:3]):
        if _SRT_TIMING.match(ln) and b"," in ln.split(b"-->")[0] and (i == 0 or lines[0].isdigit()):
            return "srt"
    return "unknown"


def _decode_utf8_block(data: bytes, fallback: Callable[[bytes], str] | None) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if fallback is None:
            text = data.decode("utf-8", errors="replace")
        else:
            # Decode line by line so only the lines that are not UTF-8 take the fallback.
            text = "\n".join(_decode_line(ln, fallback) for ln in data.split(b"\n"))
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text


def _decode_line(line: bytes, fallback: Callable[[bytes], str]) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return fallback(line)


def _whole_line_blocks(blocks: Iterator[AnyStr], lf: AnyStr, cr: AnyStr) -> Iterator[AnyStr]:
    """Re-cut blocks at line ends: each item is whole lines joined by LF (no final LF).

    CR LF and lone CR become LF. The last item may be an unterminated last line.
    """
    crlf = cr + lf
    carry = lf[:0]
    skip_lf = False  # the previous block ended in CR: an LF starting this one belongs to it
    for data in blocks:
        if skip_lf and data[:1] == lf:
            data = data[1:]
        skip_lf = data.endswith(cr)
        if cr in data:
            data = data.replace(crlf, lf).replace(cr, lf)
        if carry:
            data = carry + data
        cut = data.rfind(lf)
        if cut < 0:
            carry = data
            continue
        carry = data[cut + 1 :]
        yield data[:cut]
    if carry:
        yield carry


def _blocks(read: Callable[[int], AnyStr], first: AnyStr, block_size: int) -> Iterator[AnyStr]:
    if first:
        yield first
    while True:
        data = read(block_size)
        if not data:
            return
        yield data


def iter_binary_blocks(
    read: Callable[[int], bytes],
    *,
    fallback: Callable[[bytes], str] | None = None,
    on_head: Callable[[bytes], Callable[[bytes], str] | None] | None = None,
    block_size: int = BLOCK_SIZE,
) -> Iterator[str]:
    """Yield decoded blocks of whole lines (joined by LF, no final LF) from a binary stream.

    Args:
        read: the stream's ``read`` method (short reads are fine).
        fallback: decoder for a line that is not valid UTF-8; ``None`` means U+FFFD
            replacement, as the WebVTT spec requires.
        on_head: called once with the first bytes (BOM removed) before any line is decoded;
            it may return a ``fallback`` (so the caller can sniff the format first).
        block_size: bytes asked for per read.
    """
    head = b""
    # Collect enough bytes to see a BOM and sniff the format, however the stream trickles.
    while len(head) < 4096:
        chunk = read(block_size)
        if not chunk:
            break
        head += chunk
    if head.startswith(_BOM):
        head = head[3:]
    if on_head is not None:
        fallback = on_head(head) or fallback
    for block in _whole_line_blocks(_blocks(read, head, block_size), b"\n", b"\r"):
        yield _decode_utf8_block(block, fallback)


def iter_text_blocks(
    read: Callable[[int], str],
    *,
    on_head: Callable[[bytes], object] | None = None,
    block_size: int = BLOCK_SIZE,
) -> Iterator[str]:
    """Yield blocks of whole lines from a text stream, normalised like the binary path."""
    first = read(block_size)
    if first.startswith("\ufeff"):
        first = first[1:]
    if on_head is not None:
        on_head(first[:4096].encode("utf-8", errors="replace"))
    for block in _whole_line_blocks(_blocks(read, first, block_size), "\n", "\r"):
        if "\x00" in block:
            block = block.replace("\x00", "\ufffd")
        yield block


class LineSource:
    """Lines with a line counter and push-back: the WebVTT algorithm's "position".

    Input arrives as blocks of whole lines; the current block is exposed as :attr:`buf`
    (every line terminated by LF) and :attr:`pos`, so the parser can match ordinary cue blocks
    with one regular expression instead of line by line.
    """

    __slots__ = ("_blocks", "_pending", "buf", "lineno", "pos")

    def __init__(self, blocks: Iterator[str]) -> None:
        self._blocks = blocks
        self._pending: list[str] = []
        self.buf = ""
        self.pos = 0
        self.lineno = 0  # 1-based number of the line most recently returned

    @property
    def has_pending(self) -> bool:
        """True when pushed-back lines come before :attr:`buf`."""
        return bool(self._pending)

    def next(self) -> str | None:
        """The next line, or ``None`` at the end of input."""
        if self._pending:
            self.lineno += 1
            return self._pending.pop()
        pos = self.pos
        if pos >= len(self.buf):
            block = next(self._blocks, None)
            if block is None:
                return None
            self.buf = block + "\n"
            pos = 0
        end = self.buf.find("\n", pos)
        self.pos = end + 1
        self.lineno += 1
        return self.buf[pos:end]

    def push_back(self, line: str) -> None:
        """Return ``line`` to the input: the next :meth:`next` gives it again."""
        self._pending.append(line)
        self.lineno -= 1


def iter_lines(blocks: Iterator[str]) -> Iterator[str]:
    """Lines of the blocks yielded by :func:`iter_binary_blocks` / :func:`iter_text_blocks`."""
    for block in blocks:
        yield from block.split("\n")


def open_binary(path: str) -> IO[bytes]:
    """Open a file for block reads without Python's line buffering."""
    return open(path, "rb", buffering=0)
