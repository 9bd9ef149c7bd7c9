"""``read_cues``: the streaming WebVTT/SRT reader.

One cue is held at a time; the input is read in 1 MiB blocks. What the reader skipped or
repaired is kept (bounded) on the returned :class:`CueReader` as :attr:`CueReader.problems`.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterator, Mapping
from typing import IO, Any

from customer_snapshot.errors import TranscriptFormatError
from customer_snapshot.io.cue import Cue
from customer_snapshot.io.lines import (
    LineSource,
    iter_binary_lines,
    iter_text_lines,
    open_binary,
    sniff_format,
)
from customer_snapshot.io.text import PlainCue, has_inline_timestamps, plain_text
from customer_snapshot.io.webvtt import Problem, RawCue, parse_blocks

__all__ = ["MAX_PROBLEMS", "CueReader", "Source", "read_cues"]

log = logging.getLogger(__name__)

MAX_PROBLEMS = 1000  # problems kept for reporting; the rest are only counted

Source = str | os.PathLike[str] | IO[bytes] | IO[str]


def read_cues(
    source: Source,
    *,
    strict: bool = False,
    speaker_map: Mapping[str, str] | None = None,
    name: str | None = None,
) -> CueReader:
    """Read cues from a WebVTT or SRT file, lazily.

    Args:
        source: a path, or a binary or text stream (read in blocks, never whole).
        strict: follow the W3C WebVTT parsing algorithm exactly; a file without the
            ``WEBVTT`` signature raises :class:`TranscriptFormatError`. The default lenient
            mode also reads SubRip, header-less WebVTT, Teams ``0:0:13.540`` times and
            YouTube rolling captions (each spoken line once).
        speaker_map: rename speakers (``{"Speaker 1": "Jane Doe"}``), case-insensitive.
        name: what to call the source in messages (default: the path or stream name).

    Returns:
        A :class:`CueReader`: an iterator of :class:`Cue` that also reports problems.

    Raises:
        TranscriptFormatError: (while iterating) the input is not a transcript or cannot be
            read. Skipped blocks are not errors: they are recorded in ``problems``.

    >>> import io
    >>> data = b"WEBVTT\\n\\n1\\n00:00:01.000 --> 00:00:03.500\\n<v Ann Lee>Hello &amp; welcome\\n"
    >>> [(c.identifier, c.start, c.end, c.speaker, c.text) for c in read_cues(io.BytesIO(data))]
    [('1', 1.0, 3.5, 'Ann Lee', 'Hello & welcome')]
    """
    return CueReader(source, strict=strict, speaker_map=speaker_map, name=name)


class CueReader(Iterator[Cue]):
    """Iterator of cues with what the reading found along the way.

    Attributes:
        name: the source's name, as used in messages.
        format: ``"webvtt"`` or ``"srt"`` once reading has started.
        problems: up to :data:`MAX_PROBLEMS` :class:`Problem` records (line, severity, message).
        problem_count: how many problems there were in all.
        cues_read: cues yielded so far.
        duplicates_dropped: rolling-caption cues that repeated what was already said.
        encoding: ``"utf-8"``, or ``"utf-8+cp1252"`` when some SubRip lines were cp1252.
    """

    def __init__(
        self,
        source: Source,
        *,
        strict: bool = False,
        speaker_map: Mapping[str, str] | None = None,
        name: str | None = None,
    ) -> None:
        self.strict = strict
        self.name = name or _source_name(source)
        self.format: str | None = None
        self.problems: list[Problem] = []
        self.problem_count = 0
        self.cues_read = 0
        self.duplicates_dropped = 0
        self.encoding = "utf-8"
        self._speaker_map = {k.casefold(): v for k, v in (speaker_map or {}).items()}
        self._source = source
        self._gen: Iterator[Cue] | None = None

    def __iter__(self) -> CueReader:
        return self

    def __next__(self) -> Cue:
        if self._gen is None:
            self._gen = self._generate()
        return next(self._gen)

    def close(self) -> None:
        """Stop reading and close a file the reader opened."""
        if self._gen is not None and hasattr(self._gen, "close"):
            self._gen.close()

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error`` (content that was lost)."""
        return [p for p in self.problems if p.severity == "error"]

    def _problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        if self.problem_count <= 5:
            where = f"{self.name}:{problem.line}" if problem.line else self.name
            log.info("%s: %s", where, problem.message)

    # -- reading -----------------------------------------------------------------------------

    def _generate(self) -> Iterator[Cue]:
        stream: IO[Any]
        close = False
        if isinstance(self._source, str | os.PathLike):
            path = os.fspath(self._source)
            try:
                stream = open_binary(path)
            except OSError as exc:
                raise TranscriptFormatError(path, None, f"cannot open: {exc.strerror}") from None
            close = True
        else:
            stream = self._source
        try:
            yield from self._cues(self._lines(stream))
        except OSError as exc:
            raise TranscriptFormatError(self.name, None, f"cannot read: {exc}") from None
        except UnicodeDecodeError as exc:  # only from text streams the caller decoded
            raise TranscriptFormatError(self.name, None, f"cannot decode: {exc}") from None
        finally:
            if close:
                stream.close()

    def _lines(self, stream: IO[Any]) -> Iterator[str]:
        probe = stream.read(0)
        if isinstance(probe, str):
            self.format = "webvtt"
            return iter_text_lines(stream.read)
        return iter_binary_lines(stream.read, on_head=self._on_head)

    def _on_head(self, head: bytes) -> Any:
        kind = sniff_format(head)
        self.format = "srt" if kind == "srt" else "webvtt"
        if kind == "srt" and not self.strict:
            return self._cp1252
        return None

    def _cp1252(self, line: bytes) -> str:
        # SubRip has no declared encoding and Windows editors still write cp1252.
        if self.encoding == "utf-8":
            self.encoding = "utf-8+cp1252"
            msg = "not UTF-8: decoded as Windows-1252 (cp1252)"
            self._problem(Problem(None, "warning", msg))
            log.warning("%s: %s", self.name, msg)
        return line.decode("cp1252", errors="replace")

    def _cues(self, lines: Iterator[str]) -> Iterator[Cue]:
        src = LineSource(lines)
        raw_cues = parse_blocks(src, strict=self.strict, path=self.name, problem=self._problem)
        rolling = False
        recent: deque[str] = deque(maxlen=3)
        last_speaker: str | None = None
        last_role: str | None = None
        for raw in raw_cues:
            if not self.strict and not rolling and has_inline_timestamps(raw.payload):
                # YouTube auto-captions: from here on, each cue repeats the previous line.
                rolling = True
            if rolling:
                cue = self._rolling_cue(raw, recent)
                if cue is None:
                    self.duplicates_dropped += 1
                    continue
            else:
                cue = self._plain_cue(raw)
            speaker, role = cue.speaker, cue.role
            if speaker is None and last_speaker is not None:
                # SubRip and some Zoom exports label only the first subtitle of a turn.
                speaker, role = last_speaker, last_role
            if speaker is not None and self._speaker_map:
                speaker = self._speaker_map.get(speaker.casefold(), speaker)
            if (speaker, role) != (cue.speaker, cue.role):
                cue = Cue(
                    cue.identifier, cue.start, cue.end, cue.raw_text, cue.text,
                    speaker, cue.settings, cue.line, role,
                )  # fmt: skip
            last_speaker, last_role = cue.speaker, cue.role
            self.cues_read += 1
            yield cue

    @staticmethod
    def _plain_cue(raw: RawCue) -> Cue:
        plain = PlainCue.from_raw(raw.payload)
        return Cue(
            raw.identifier, raw.start, raw.end, raw.payload, plain.text,
            plain.speaker, raw.settings, raw.line, plain.role,
        )  # fmt: skip

    @staticmethod
    def _rolling_cue(raw: RawCue, recent: deque[str]) -> Cue | None:
        lines = [plain_text(ln) for ln in raw.payload.split("\n")]
        lines = [ln for ln in lines if ln]
        # Drop the lines this cue repeats from the cues before it.
        while lines and lines[0] in recent:
            lines.pop(0)
        if not lines:
            return None
        recent.extend(lines)
        return Cue(
            raw.identifier, raw.start, raw.end, raw.payload, " ".join(lines),
            None, raw.settings, raw.line, None,
        )  # fmt: skip


def _source_name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<stream>"
