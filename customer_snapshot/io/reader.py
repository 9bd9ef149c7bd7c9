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
from customer_snapshot.io.cue import Cue, make_cue
from customer_snapshot.io.lines import (
    LineSource,
    iter_binary_blocks,
    iter_text_blocks,
    open_binary,
    sniff_format,
)
from customer_snapshot.io.text import analyze_payload, has_inline_timestamps, plain_text
from customer_snapshot.io.webvtt import Problem, parse_blocks

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

    def __iter__(self) -> Iterator[Cue]:
        # Hand out the generator itself: a ``for`` loop then runs at generator speed, with no
        # Python-level __next__ call per cue.
        if self._gen is None:
            self._gen = self._generate()
        return self._gen

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
            return iter_text_blocks(stream.read, on_head=self._on_head)
        return iter_binary_blocks(stream.read, on_head=self._on_head)

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

    def _cues(self, blocks: Iterator[str]) -> Iterator[Cue]:
        src = LineSource(blocks)
        raw_cues = parse_blocks(src, strict=self.strict, path=self.name, problem=self._problem)
        rolling = False
        recent: deque[str] = deque(maxlen=3)
        last_speaker: str | None = None
        last_role: str | None = None
        previous_payload = ""
        speaker_map = self._speaker_map
        lenient = not self.strict
        # SubRip editors label only the first subtitle of a turn, so an unlabelled subtitle
        # continues the previous speaker. In WebVTT every exporter we know labels each cue, and
        # an unlabelled cue there (a presenter after a host's labelled line) is not the same
        # speaker, so it stays unknown.
        count = 0
        for ident, start, end, payload, settings, line in raw_cues:
            if rolling:
                lines = [ln for ln in map(plain_text, payload.split("\n")) if ln]
                # Drop the lines this cue repeats from the cues before it.
                while lines and lines[0] in recent:
                    del lines[0]
                if not lines:
                    self.duplicates_dropped += 1
                    continue
                recent.extend(lines)
                text, speaker, role = " ".join(lines), None, None
            elif lenient and "<" in payload and has_inline_timestamps(payload):
                # YouTube auto-captions: from here on each cue repeats the previous line,
                # starting with the line of the cue just before the first word timings.
                rolling = True
                recent.extend(ln for ln in map(plain_text, previous_payload.split("\n")) if ln)
                lines = [ln for ln in map(plain_text, payload.split("\n")) if ln]
                while lines and lines[0] in recent:
                    del lines[0]
                recent.extend(lines)
                text, speaker, role = " ".join(lines), None, None
            else:
                text, speaker, role = analyze_payload(payload)
                previous_payload = payload
            if speaker is None:
                if self.format == "srt":  # known once the first block is read
                    speaker, role = last_speaker, last_role
            elif speaker_map:
                speaker = speaker_map.get(speaker.casefold(), speaker)
            last_speaker, last_role = speaker, role
            count += 1
            self.cues_read = count
            yield make_cue(ident, start, end, payload, text, speaker, settings, line, role)


def _source_name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<stream>"
