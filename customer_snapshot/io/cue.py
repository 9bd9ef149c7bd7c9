"""The cue model shared by every reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Cue"]


@dataclass(frozen=True, slots=True, init=False)
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

    def __init__(
        self,
        identifier: str,
        start: float,
        end: float,
        raw_text: str,
        text: str,
        speaker: str | None = None,
        settings: dict[str, str] | None = None,
        line: int = 0,
        role: str | None = None,
        *,
        _set: Any = object.__setattr__,
    ) -> None:
        # Written by hand: the reader makes one Cue per cue of a file of any size, and binding
        # object.__setattr__ once is measurably cheaper than the generated frozen __init__.
        _set(self, "identifier", identifier)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "raw_text", raw_text)
        _set(self, "text", text)
        _set(self, "speaker", speaker)
        _set(self, "settings", {} if settings is None else settings)
        _set(self, "line", line)
        _set(self, "role", role)

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
