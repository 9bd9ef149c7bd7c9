"""customer-snapshot: evidence-backed Customer Solution Snapshots from call transcripts.

Public API (everything else is private)::

    read_cues(source, *, strict=False) -> Iterator[Cue]
    Config, SnapshotError and its subclasses
"""

from customer_snapshot._version import __version__
from customer_snapshot.config import Config
from customer_snapshot.errors import (
    ConfigError,
    InputTooLargeError,
    MemoryLimitExceeded,
    ModelUnavailableError,
    OutputError,
    SnapshotError,
    TemplateError,
    TranscriptFormatError,
)
from customer_snapshot.io import Cue, CueReader, read_cues

__all__ = [
    "Config",
    "ConfigError",
    "Cue",
    "CueReader",
    "InputTooLargeError",
    "MemoryLimitExceeded",
    "ModelUnavailableError",
    "OutputError",
    "SnapshotError",
    "TemplateError",
    "TranscriptFormatError",
    "__version__",
    "read_cues",
]
