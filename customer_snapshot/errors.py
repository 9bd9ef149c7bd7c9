"""Errors raised by customer-snapshot.

Every error the tool raises on purpose derives from :class:`SnapshotError` and carries
structured context, so callers (and the CLI's single exit-code map) never parse messages::

    SnapshotError                      base; str(exc) is one line meant for a person
    ├── ConfigError                    a bad setting (environment variable or flag)      exit 2
    ├── TranscriptFormatError          not WebVTT/SRT, or unreadable (path, line, reason) exit 1
    ├── InputTooLargeError             input above MAX_FILE_SIZE (path, size, limit)      exit 3
    ├── MemoryLimitExceeded            RSS passed a limit (limit_mb, observed_mb)          exit 3
    │                                  (also a MemoryError, as the memory spec promises)
    ├── ModelUnavailableError          a requested spaCy pipeline cannot be loaded        exit 1
    ├── TemplateError                  a template is missing or fails to render           exit 1
    └── OutputError                    an output cannot be written                        exit 1
"""

from __future__ import annotations

import math
import os
from typing import Any

__all__ = [
    "ConfigError",
    "InputTooLargeError",
    "MemoryLimitExceeded",
    "ModelUnavailableError",
    "OutputError",
    "SnapshotError",
    "TemplateError",
    "TranscriptFormatError",
]


class SnapshotError(Exception):
    """Base class of every error customer-snapshot raises on purpose."""

    # Structured errors are rebuilt from their constructor arguments when unpickled (an error
    # raised in a batch worker process travels back to the parent).
    _args: tuple[object, ...] = ()

    def __reduce__(self) -> str | tuple[Any, ...]:
        if self._args:
            return (type(self), self._args)
        return super().__reduce__()


class ConfigError(SnapshotError, ValueError):
    """A setting (environment variable or command-line flag) has a bad value."""

    def __init__(self, name: str, value: object, reason: str) -> None:
        self._args = (name, value, reason)
        self.name = name
        self.value = value
        self.reason = reason
        super().__init__(f"{name}={value!r}: {reason}")


class TranscriptFormatError(SnapshotError):
    """The input is not a transcript we can read.

    Attributes:
        path: file name (or ``"<stream>"``) the problem is in.
        line: 1-based line number, or ``None`` when the problem is not tied to a line.
        reason: what is wrong, for a person.
    """

    def __init__(self, path: str | os.PathLike[str] | None, line: int | None, reason: str) -> None:
        self._args = (path, line, reason)
        self.path = str(path) if path is not None else "<stream>"
        self.line = line
        self.reason = reason
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {reason}")


class InputTooLargeError(SnapshotError):
    """The input is larger than the configured ``MAX_FILE_SIZE``."""

    def __init__(self, path: str, size: int, limit: int) -> None:
        self._args = (path, size, limit)
        self.path = path
        self.size = size
        self.limit = limit
        super().__init__(
            f"{path}: {size} bytes is larger than MAX_FILE_SIZE={limit}; "
            "raise MAX_FILE_SIZE (0 = no limit) to process it"
        )


class MemoryLimitExceeded(SnapshotError, MemoryError):
    """Resident memory passed a configured limit while a guarded call ran."""

    def __init__(self, limit_mb: float, observed_mb: float, where: str | None = None) -> None:
        self._args = (limit_mb, observed_mb, where)
        self.limit_mb = float(limit_mb)
        self.observed_mb = float(observed_mb)
        self.where = where
        what = f" in {where}" if where else ""
        seen = f"{observed_mb:.0f}"
        if observed_mb > limit_mb and float(seen) <= limit_mb:
            # Just past the limit: whole megabytes would read as "350 MB, limit 350 MB".
            seen = f"{math.ceil(observed_mb * 10) / 10:.1f}"
        super().__init__(
            f"memory limit exceeded{what}: {seen} MB resident, limit {limit_mb:.0f} MB"
        )


class ModelUnavailableError(SnapshotError):
    """A spaCy pipeline that was asked for by name cannot be loaded."""

    def __init__(self, model: str, reason: str) -> None:
        self._args = (model, reason)
        self.model = model
        self.reason = reason
        super().__init__(f"spaCy pipeline {model!r} is not available: {reason}")


class TemplateError(SnapshotError):
    """A template is missing, invalid, or fails to render."""

    def __init__(self, template: str, reason: str) -> None:
        self._args = (template, reason)
        self.template = template
        self.reason = reason
        super().__init__(f"template {template}: {reason}")


class OutputError(SnapshotError):
    """An output file cannot be written."""

    def __init__(self, path: str, reason: str) -> None:
        self._args = (path, reason)
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")
