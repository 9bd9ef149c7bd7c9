"""The cue model shared by every reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

__all__ = ["Cue", "make_cue"]


@dataclass(frozen=True, slots=True)
class Cue:
    """One timed piece of a transcript.

    Attributes:
        identifier: the cue id as written (SRT index, Teams GUID, ``""`` when absent).
        start: start time in seconds.
        end: end time in seconds.
        raw_text: the cue payload as in the file (tags and entities kept; NUL -> U+FFFD).
        text: plain text: tags stripped, entities decoded, speaker label removed,
            lines joined with single spaces.
        speaker: who speaks, from a ``<v Name>`` tag or a ``Name:`` label; ``None`` if unknown.
        settings: the cue settings that are valid per the WebVTT spec (name -> value).
        line: 1-based line number of the cue's timing line.
        role: the parenthesised role of a ``Name (Role):`` label, if any.
    """

    identifier: str
    start: float
    end: float
    raw_text: str
    text: str
    speaker: str | None = None
    settings: dict[str, str] = field(default_factory=dict)
    line: int = 0
    role: str | None = None

    @property
    def duration(self) -> float:
        """Length of the cue in seconds (never negative)."""
        return max(0.0, self.end - self.start)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with every field."""
        return {
            "identifier": self.identifier,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "role": self.role,
            "text": self.text,
            "raw_text": self.raw_text,
            "settings": dict(self.settings),
            "line": self.line,
        }


class _CueBuilder:
    """A mutable twin of :class:`Cue` (same slots, same order) used to build cues quickly.

    The reader makes one Cue per cue of a file of any size, and a frozen dataclass's
    ``__init__`` pays for ``object.__setattr__`` on every field. Building the twin with plain
    slot stores and then switching its ``__class__`` (allowed because the slot layouts are
    identical) gives a genuine, frozen ``Cue`` in a third of the time.
    """

    __slots__ = Cue.__slots__

    def __init__(
        self,
        identifier: str,
        start: float,
        end: float,
        raw_text: str,
        text: str,
        speaker: str | None,
        settings: dict[str, str],
        line: int,
        role: str | None,
    ) -> None:
        self.identifier = identifier
        self.start = start
        self.end = end
        self.raw_text = raw_text
        self.text = text
        self.speaker = speaker
        self.settings = settings
        self.line = line
        self.role = role


def make_cue(
    identifier: str,
    start: float,
    end: float,
    raw_text: str,
    text: str,
    speaker: str | None,
    settings: dict[str, str],
    line: int,
    role: str | None,
) -> Cue:
    """Build a :class:`Cue` from all its fields, fast (see :class:`_CueBuilder`).

    >>> cue = make_cue("1", 1.0, 2.0, "Hi", "Hi", None, {}, 3, None)
    >>> cue == Cue("1", 1.0, 2.0, "Hi", "Hi", line=3), type(cue).__name__
    (True, 'Cue')
    """
    cue = _CueBuilder(identifier, start, end, raw_text, text, speaker, settings, line, role)
    cue.__class__ = Cue  # type: ignore[assignment]
    return cast(Cue, cue)
