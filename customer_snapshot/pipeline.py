"""The operations the CLI and the Python API share: read, analyse, build, render.

Library first, CLI second: ``customer-snapshot analyze`` is a thin wrapper over
:func:`run_analysis`, ``process`` over :func:`process_file`.

Every stage runs under the memory tools (DESIGN's data flow):

* the run's :class:`~customer_snapshot.memory.tracker.MemoryTracker` takes a snapshot when
  each stage starts and ends and after each batch of analysed chunks; its summary goes into
  ``metrics["memory"]``;
* ``@memory_profile`` logs each stage's memory delta, peak and time (logger
  ``customer_snapshot.pipeline.memory``, INFO) and, with ``ENABLE_MEMORY_PROFILING=true``, a
  line-by-line table of the stage's function (then shown whatever ``LOG_LEVEL`` says);
* ``@memory_limit`` guards each stage when a limit is set (``MEMORY_LIMIT_MB`` or
  ``--memory-limit``; 0 = none): soon after resident memory passes it the stage stops with
  :class:`~customer_snapshot.errors.MemoryLimitExceeded`, which the CLI turns into one line
  and exit code 3.

The stages, in order: ``read`` (open the transcript), ``model`` (load the spaCy pipeline, once
per process), ``analyze``, ``build`` and ``render``. Reading and analysis are one streaming
pass (the analyzer pulls cues from the reader), so ``read``'s seconds are the time spent
inside the reader (opening the file, then producing each cue) and ``analyze``'s the rest of
the pass; ``read``'s peak also covers the resident memory sampled while the reader produced
cues. Each stage records ``seconds``, ``peak_rss_mb`` (the highest resident memory of the
process while it ran), ``rss_start_mb`` and ``rss_end_mb``. A JSON snapshot written by
:func:`process_file` holds the stages up to ``build`` (it is rendered during ``render``); the
returned :class:`ProcessResult` and its snapshot have all five.

Nothing is written unless every stage succeeded: the files of the render stage are queued
and written when the stage has ended within its limit, and standard output likewise.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, ParamSpec, TypeVar

from customer_snapshot.config import Config
from customer_snapshot.errors import OutputError, TranscriptFormatError
from customer_snapshot.io.source import HashingReader, SourceInfo, open_transcript

if TYPE_CHECKING:
    from customer_snapshot.io.cue import Cue
    from customer_snapshot.io.reader import CueReader
    from customer_snapshot.memory.decorators import MemoryUsage
    from customer_snapshot.memory.tracker import MemoryTracker

__all__ = [
    "STAGES",
    "ProcessResult",
    "generate_snapshot",
    "has_a_cue",
    "process_file",
    "run_analysis",
    "write_atomic",
]

P = ParamSpec("P")
R = TypeVar("R")

STAGES = ("read", "model", "analyze", "build", "render")

_PROGRESS_MIN_BYTES = 256 * 1024  # a progress bar for a few seconds of work is noise
_READ_SAMPLE_EVERY = 64  # cues between resident-memory samples inside the reader

profile_log = logging.getLogger(__name__ + ".memory")


def _progress_bar(total: int | None, name: str, config: Config) -> Any:
    if not config.progress or not sys.stderr.isatty():
        return None
    if total is not None and total < _PROGRESS_MIN_BYTES:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total, unit="B", unit_scale=True, desc=os.path.basename(name), file=sys.stderr
    )


# -- one run's memory instruments -----------------------------------------------------------


class _Run:
    """The memory tools of one run: its tracker, its stage wrappers and their figures."""

    def __init__(self, config: Config) -> None:
        from customer_snapshot.memory.tracker import MemoryTracker

        self.config = config
        self.limit_mb = float(config.memory_limit_mb) if config.memory_limit_mb else None
        self.tracker: MemoryTracker = MemoryTracker(limit_mb=self.limit_mb)
        self.tracker.take_snapshot("run start")
        self.usage: dict[str, MemoryUsage] = {}
        self._shift: dict[str, float] = {}  # seconds moved between interleaved stages
        self._sampled_peak: dict[str, float] = {}
        if config.enable_memory_profiling and profile_log.level == logging.NOTSET:
            # Asked for: show the tables even where LOG_LEVEL keeps INFO quiet.
            profile_log.setLevel(logging.INFO)

    def stage(self, name: str, func: Callable[P, R], *, tracked: bool = True) -> Callable[P, R]:
        """``func`` as the stage ``name``: profiled, tracked, and limited when a limit is set."""
        from customer_snapshot.memory.decorators import memory_limit, memory_profile

        def record(usage: MemoryUsage) -> None:
            self.usage[name] = usage

        guarded = func
        if self.limit_mb is not None:
            guarded = memory_limit(self.limit_mb, where=f"the {name} stage")(func)
        return memory_profile(
            label=name,
            tracker=self.tracker if tracked else None,
            config=self.config,
            logger=profile_log,
            on_result=record,
        )(guarded)

    def model_stage(self, model: str) -> Callable[..., Any]:
        """Run the ``model`` stage; returns the analyzer's ``analyze``.

        Loading spaCy and its pipeline (about 150 MB, once per process) is the run's largest
        step up, but it is not growth: the tracker's baseline is taken after it, and the step
        is not counted as a spike.
        """
        analyze: Callable[..., Any] = self.stage("model", _load_nlp, tracked=False)(model)
        self.tracker.set_baseline("model loaded", restart=True)
        return analyze

    def interleaved(self, inner: str, outer: str, seconds: float, peak_mb: float) -> None:
        """Move ``seconds`` spent in ``inner`` while ``outer`` ran from ``outer`` to ``inner``."""
        self._shift[inner] = self._shift.get(inner, 0.0) + seconds
        self._shift[outer] = self._shift.get(outer, 0.0) - seconds
        self._sampled_peak[inner] = max(self._sampled_peak.get(inner, 0.0), peak_mb)

    def stages(self) -> dict[str, dict[str, float]]:
        """The figures of the stages run so far, in stage order."""
        out: dict[str, dict[str, float]] = {}
        for name in sorted(self.usage, key=STAGES.index):
            u = self.usage[name]
            out[name] = {
                "seconds": round(max(0.0, u.seconds + self._shift.get(name, 0.0)), 3),
                "peak_rss_mb": round(max(u.peak_mb, self._sampled_peak.get(name, 0.0)), 1),
                "rss_start_mb": round(u.rss_before_mb, 1),
                "rss_end_mb": round(u.rss_after_mb, 1),
            }
        return out

    def metrics(self, base: Mapping[str, Any], *, words: int | None) -> dict[str, Any]:
        """``base`` (the analyzer's metrics) with the stage figures and the memory summary."""
        from customer_snapshot.memory.rss import peak_rss_mb

        out = dict(base)
        stages = self.stages()
        out["stages"] = stages
        peaks = [s["peak_rss_mb"] for s in stages.values()]
        out["peak_rss_mb"] = max(peaks) if peaks else round(peak_rss_mb(), 1)
        pass_seconds = sum(stages[s]["seconds"] for s in ("read", "analyze") if s in stages)
        if words is not None:
            out["words_per_second"] = round(words / pass_seconds, 1) if pass_seconds else 0.0
        summary = self.tracker.analyze_memory_usage()
        out["memory"] = {
            "limit_mb": self.limit_mb,
            "baseline_mb": summary["baseline_mb"],
            "growth_mb": summary["growth_mb"],
            "snapshots": summary["snapshot_count"],
            "spike_count": summary["spike_count"],
            "spikes": summary["spikes"][-10:],
            "recommendations": summary["recommendations"],
        }
        return out


def _load_nlp(model: str) -> Callable[..., Any]:
    """Import the analyzer (spaCy and NLTK with it) and load the spaCy pipeline (cached)."""
    from customer_snapshot.nlp.analyzer import analyze
    from customer_snapshot.nlp.model import load_model

    load_model(model)
    return analyze


_current_run: ContextVar[_Run | None] = ContextVar("customer_snapshot_run", default=None)


@contextlib.contextmanager
def _run_for(config: Config) -> Iterator[_Run]:
    """The run in progress (a nested call joins its caller's run), or a new one."""
    run = _current_run.get()
    if run is not None:
        yield run
        return
    run = _Run(config)
    token = _current_run.set(run)
    try:
        yield run
    finally:
        _current_run.reset(token)


class _TimedCues:
    """The reader as the analyzer sees it, timing every cue it hands over."""

    def __init__(self, reader: CueReader) -> None:
        self._reader = reader
        self.seconds = 0.0
        self.peak_mb = 0.0
        self._count = 0
        self._ahead: Cue | None = None

    def first(self) -> Cue | None:
        """Read the first cue now (untimed: the caller's stage times it), or ``None``.

        Done before the model loads, so a file that is not a transcript, or has no cues, is
        rejected in milliseconds rather than after a second of loading spaCy.
        """
        if self._ahead is None:
            self._ahead = next(self._reader, None)
        return self._ahead

    def __iter__(self) -> _TimedCues:
        return self

    def __next__(self) -> Cue:
        if self._ahead is not None:
            cue, self._ahead = self._ahead, None
            return cue
        t0 = time.perf_counter()
        try:
            return next(self._reader)
        finally:
            self.seconds += time.perf_counter() - t0
            self._count += 1
            if self._count % _READ_SAMPLE_EVERY == 1:
                from customer_snapshot.memory.rss import rss_mb

                self.peak_mb = max(self.peak_mb, rss_mb())


# -- the stages -----------------------------------------------------------------------------


def _open_cues(
    source: str | os.PathLike[str] | IO[bytes], config: Config, name: str | None
) -> tuple[CueReader, HashingReader, SourceInfo, _TimedCues]:
    """Open the transcript and read its first cue (the ``read`` stage before the model loads).

    Raises:
        TranscriptFormatError: not a transcript, unreadable, or no cues.
    """
    reader, hashing, info = open_transcript(
        source,
        strict=config.strict,
        speaker_map=config.speaker_map,
        max_bytes=config.max_file_size,
        name=name,
    )
    cues = _TimedCues(reader)
    try:
        if cues.first() is None:
            raise TranscriptFormatError(reader.name, None, "no cues found")
    except BaseException:
        reader.close()
        hashing.close()
        raise
    return reader, hashing, info, cues


def has_a_cue(path: str | os.PathLike[str], config: Config) -> bool:
    """Whether ``path`` opens as a transcript with at least one cue (milliseconds: only the
    start of the file is read). Used to skip loading the model for a file that will fail."""
    from customer_snapshot.errors import SnapshotError

    try:
        reader, hashing, _, _ = _open_cues(path, config, None)
    except (SnapshotError, OSError, UnicodeError):
        return False
    reader.close()
    hashing.close()
    return True


def run_analysis(
    source: str | os.PathLike[str] | IO[bytes], *, config: Config, name: str | None = None
) -> Any:
    """Read and analyse one transcript into an :class:`~customer_snapshot.nlp.analysis.Analysis`.

    Runs the ``read``, ``model`` and ``analyze`` stages (see the module docstring); their
    figures are in the analysis's ``metrics``.

    Raises:
        TranscriptFormatError: not a transcript, unreadable, or no cues.
        InputTooLargeError: larger than ``MAX_FILE_SIZE``.
        ModelUnavailableError: the configured spaCy pipeline cannot be loaded.
        MemoryLimitExceeded: resident memory passed the configured limit.
    """
    with _run_for(config) as run:
        reader, hashing, info, cues = run.stage("read", _open_cues)(source, config, name)
        bar = None
        try:
            analyze = run.model_stage(config.spacy_model)
            bar = _progress_bar(info.size_hint, info.name, config)
            batches = 0

            def on_batch() -> None:
                nonlocal batches
                batches += 1
                run.tracker.take_snapshot(f"analyze batch {batches}")
                if bar is not None:
                    bar.update(hashing.bytes_read - bar.n)

            analysis = run.stage("analyze", analyze)(
                cues, config=config, source=info, on_batch=on_batch
            )
        finally:
            if bar is not None:
                bar.close()
            reader.close()
            hashing.close()
            run.interleaved("read", "analyze", cues.seconds, cues.peak_mb)
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
        analysis.metrics = run.metrics(analysis.metrics, words=info.words)
    return analysis


def generate_snapshot(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    config: Config | None = None,
    name: str | None = None,
) -> Any:
    """Read, analyse and assemble the snapshot of one transcript.

    Runs the stages up to ``build``; their figures are in the snapshot's ``metrics``.

    Returns:
        A :class:`~customer_snapshot.snapshot.model.Snapshot`.
    """
    config = config or Config()
    with _run_for(config) as run:
        analysis = run_analysis(source, config=config, name=name)
        # Imported after the model stage, which accounts for spaCy's import.
        from customer_snapshot.snapshot.builder import build_snapshot

        snapshot = run.stage("build", build_snapshot)(analysis, config=config)
        snapshot.metrics = run.metrics(snapshot.metrics, words=analysis.source.words)
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

    Raises:
        MemoryLimitExceeded: resident memory passed the configured limit (nothing written).
        SnapshotError: the other failures of :func:`run_analysis` and the renderers.
    """
    from customer_snapshot.render import render, resolve_formats

    config = config or Config()
    fmts = resolve_formats(formats)  # a bad format fails before any work
    with _run_for(config) as run:
        snapshot = generate_snapshot(source, config=config, name=name)
        # Streams get their bytes only after the stage ended within its limit.
        sink: io.BytesIO | io.StringIO | None = None
        if output == "-" or hasattr(output, "write"):
            sink = io.StringIO() if isinstance(output, io.TextIOBase) else io.BytesIO()
        with _queued_writes() as queue:
            outputs = run.stage("render", render)(
                snapshot,
                fmts,
                sink if sink is not None else output,
                template=template,
                template_dir=template_dir,
                stem=stem,
            )
        queue.commit()
        if sink is not None:
            _deliver(sink, output)
        metrics = run.metrics(snapshot.metrics, words=snapshot.source.get("words"))
    snapshot.metrics = metrics
    return ProcessResult(snapshot=snapshot, outputs=outputs, metrics=dict(metrics))


def _deliver(sink: io.BytesIO | io.StringIO, output: Any) -> None:
    payload = sink.getvalue()
    if output == "-":
        data = payload.encode() if isinstance(payload, str) else payload
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write(payload)


# -- writing --------------------------------------------------------------------------------


class _WriteQueue:
    """Files :func:`write_atomic` was asked to write while the queue was open."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []

    def commit(self) -> None:
        """Write the queued files (each all or nothing)."""
        items, self.items = self.items, []
        for path, data in items:
            try:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
                _write_now(path, data)
            except OSError as exc:
                raise OutputError(path, exc.strerror or str(exc)) from None


_write_queue: ContextVar[_WriteQueue | None] = ContextVar("customer_snapshot_writes", default=None)


@contextlib.contextmanager
def _queued_writes() -> Iterator[_WriteQueue]:
    """Queue :func:`write_atomic`'s writes in this context until ``commit()``."""
    queue = _WriteQueue()
    token = _write_queue.set(queue)
    try:
        yield queue
    finally:
        _write_queue.reset(token)


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: all or nothing.

    Inside :func:`process_file`'s render stage the write is queued, and done once the stage
    has ended within its memory limit.
    """
    queue = _write_queue.get()
    if queue is not None:
        queue.items.append((os.fspath(path), bytes(data)))
        return
    _write_now(path, data)


def _write_now(path: str | os.PathLike[str], data: bytes) -> None:
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
