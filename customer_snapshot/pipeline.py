"""The operations the CLI and the Python API share: open a transcript, analyse it.

Library first, CLI second: ``customer-snapshot analyze`` is a thin wrapper over
:func:`run_analysis`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from customer_snapshot.config import Config
from customer_snapshot.errors import TranscriptFormatError
from customer_snapshot.io.source import open_transcript

__all__ = ["ProcessResult", "generate_snapshot", "process_file", "run_analysis", "write_atomic"]

_PROGRESS_MIN_BYTES = 256 * 1024  # a progress bar for a few seconds of work is noise


def _progress_bar(total: int | None, name: str, config: Config) -> Any:
    if not config.progress or not sys.stderr.isatty():
        return None
    if total is not None and total < _PROGRESS_MIN_BYTES:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total, unit="B", unit_scale=True, desc=os.path.basename(name), file=sys.stderr
    )


def run_analysis(
    source: str | os.PathLike[str] | IO[bytes], *, config: Config, name: str | None = None
) -> Any:
    """Read and analyse one transcript into an :class:`~customer_snapshot.nlp.analysis.Analysis`.

    Raises:
        TranscriptFormatError: not a transcript, unreadable, or no cues.
        InputTooLargeError: larger than ``MAX_FILE_SIZE``.
        ModelUnavailableError: the configured spaCy pipeline cannot be loaded.
    """
    from customer_snapshot.nlp.analyzer import analyze

    reader, hashing, info = open_transcript(
        source,
        strict=config.strict,
        speaker_map=config.speaker_map,
        max_bytes=config.max_file_size,
        name=name,
    )
    bar = _progress_bar(info.size_hint, info.name, config)

    def on_batch() -> None:
        if bar is not None:
            bar.update(hashing.bytes_read - bar.n)

    try:
        analysis = analyze(reader, config=config, source=info, on_batch=on_batch)
    finally:
        if bar is not None:
            bar.close()
        reader.close()
        hashing.close()
    if reader.cues_read == 0:
        raise TranscriptFormatError(reader.name, None, "no cues found")
    info.format = reader.format
    info.sha256 = hashing.sha256.hexdigest()
    info.bytes = hashing.bytes_read
    for p in reader.problems[:20]:
        where = f"line {p.line}: " if p.line else ""
        analysis.warnings.append(f"{where}{p.message}")
    if reader.problem_count > 20:
        analysis.warnings.append(f"... and {reader.problem_count - 20} more reader problems")
    return analysis


def generate_snapshot(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    config: Config | None = None,
    name: str | None = None,
) -> Any:
    """Read, analyse and assemble the snapshot of one transcript.

    Returns:
        A :class:`~customer_snapshot.snapshot.model.Snapshot`.
    """
    from customer_snapshot.memory.rss import peak_rss_mb
    from customer_snapshot.snapshot.builder import build_snapshot

    config = config or Config()
    analysis = run_analysis(source, config=config, name=name)
    t0 = time.perf_counter()
    snapshot = build_snapshot(analysis, config=config)
    stages = snapshot.metrics.setdefault("stages", {})
    stages["build"] = {
        "seconds": round(time.perf_counter() - t0, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    return snapshot


@dataclass
class ProcessResult:
    """What :func:`process_file` did: the snapshot, the files written, the stage figures."""

    snapshot: Any
    outputs: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)


def process_file(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    formats: str | Sequence[str],
    output: str | os.PathLike[str] | IO[Any],
    config: Config | None = None,
    name: str | None = None,
    stem: str | None = None,
    template: str | os.PathLike[str] | None = None,
    template_dir: str | os.PathLike[str] | None = None,
) -> ProcessResult:
    """The whole job for one transcript: read, analyse, build, render and write.

    The CLI's ``process`` and batch mode both run this. Nothing is written unless every stage
    (and every requested format) succeeded.
    """
    from customer_snapshot.memory.rss import peak_rss_mb
    from customer_snapshot.render import render, resolve_formats

    config = config or Config()
    fmts = resolve_formats(formats)  # a bad format fails before any work
    snapshot = generate_snapshot(source, config=config, name=name)
    t0 = time.perf_counter()
    outputs = render(
        snapshot, fmts, output, template=template, template_dir=template_dir, stem=stem
    )
    metrics = dict(snapshot.metrics)
    stages = dict(metrics.get("stages", {}))
    stages["render"] = {
        "seconds": round(time.perf_counter() - t0, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    metrics["stages"] = stages
    metrics["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return ProcessResult(snapshot=snapshot, outputs=outputs, metrics=metrics)


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: all or nothing."""
    import tempfile

    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    # mkstemp makes the file private (0600); a document gets the usual permissions.
    mask = os.umask(0)
    os.umask(mask)
    os.fchmod(fd, 0o666 & ~mask)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
