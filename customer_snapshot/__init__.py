"""customer-snapshot: evidence-backed Customer Solution Snapshots from call transcripts.

Public API (everything else is private)::

    read_cues(source, *, strict=False) -> Iterator[Cue]
    generate_snapshot(source, *, config=None) -> Snapshot
    analyze(cues, *, config) -> Analysis
    build_snapshot(analysis, *, config) -> Snapshot
    render(snapshot, format, output, *, template=None) -> list[str]
    Config, SnapshotError and its subclasses

The stages are imported on first use, so ``import customer_snapshot`` stays cheap (no spaCy).
"""

from typing import Any

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
    "analyze",
    "build_snapshot",
    "generate_snapshot",
    "read_cues",
    "render",
]

_LAZY = {
    "analyze": "customer_snapshot.nlp.analyzer",
    "build_snapshot": "customer_snapshot.snapshot.builder",
    "generate_snapshot": "customer_snapshot.pipeline",
    "render": "customer_snapshot.render",
}


def __getattr__(name: str) -> Any:
    """The heavier stages, imported when first used."""
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name])
        # customer_snapshot.render is a callable package (see render/__init__.py).
        return module if name == "render" else getattr(module, name)
    raise AttributeError(f"module 'customer_snapshot' has no attribute {name!r}")
