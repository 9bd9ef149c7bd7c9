"""Open a transcript for one streaming pass, counting its bytes and SHA-256 on the way.

The snapshot records ``source.sha256`` and ``source.bytes`` without reading the file twice:
the hash is updated by the same reads that feed the reader.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from typing import IO, Any, cast

from customer_snapshot.errors import InputTooLargeError, TranscriptFormatError
from customer_snapshot.io.reader import CueReader, read_cues

__all__ = ["HashingReader", "SourceInfo", "open_transcript"]


class HashingReader(io.RawIOBase):
    """A binary stream that hashes and counts what passes through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        if not data:
            return 0
        n = len(data)
        buffer[:n] = data
        self.sha256.update(data)
        self.bytes_read += n
        return n

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if data:
            self.sha256.update(data)
            self.bytes_read += len(data)
        return data

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


@dataclass
class SourceInfo:
    """What the snapshot says about its input (filled in as the input is read)."""

    name: str
    format: str | None = None
    sha256: str | None = None
    bytes: int = 0
    cues: int = 0
    words: int = 0
    duration_seconds: float = 0.0
    size_hint: int | None = None  # the file size when known before reading

    def to_dict(self) -> dict[str, Any]:
        """The snapshot JSON ``source`` object."""
        return {
            "name": self.name,
            "format": self.format,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "cues": self.cues,
            "words": self.words,
            "duration_seconds": round(self.duration_seconds, 3),
        }


def open_transcript(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    strict: bool = False,
    speaker_map: dict[str, str] | None = None,
    max_bytes: int = 0,
    name: str | None = None,
) -> tuple[CueReader, HashingReader, SourceInfo]:
    """A cue reader over ``source`` with hashing, and the :class:`SourceInfo` to fill.

    Raises:
        InputTooLargeError: the file is larger than ``max_bytes`` (0 = no limit).
        TranscriptFormatError: the file cannot be opened.
    """
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        try:
            size = os.path.getsize(path)
            raw: IO[bytes] = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by caller
        except OSError as exc:
            raise TranscriptFormatError(path, None, f"cannot open: {exc.strerror}") from None
        if max_bytes and size > max_bytes:
            raw.close()
            raise InputTooLargeError(path, size, max_bytes)
        # The snapshot names the file, not where it lives on this machine.
        label = os.path.basename(name or path)
        display = name or path
    else:
        raw = source
        size = None
        label = name or getattr(source, "name", None) or "<stdin>"
        display = label
    hashing = HashingReader(raw)
    # A RawIOBase is a binary stream; typeshed does not count it as IO[bytes].
    stream = cast(IO[bytes], hashing)
    reader = read_cues(stream, strict=strict, speaker_map=speaker_map, name=display)
    return reader, hashing, SourceInfo(name=str(label), size_hint=size)
