"""The worker side of a batch: one transcript in, one plain result dict out.

:func:`run_task` is the whole job for one file (``pipeline.process_file`` under the worker's
memory limit, with its time and peak memory measured). It never raises for a bad file: every
failure becomes a result with ``status="failed"`` and the reason, so one corrupt transcript
cannot stop a batch. Local worker processes (``python -m customer_snapshot.batch.worker_process``)
run :func:`worker_main`; Dask workers run
:func:`dask_task`. Both load the spaCy pipeline once per process (``nlp.model`` caches it) and
reuse it for every file.

This module is imported by the parent too, so it imports nothing heavy at module level.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from customer_snapshot.config import Config
from customer_snapshot.errors import SnapshotError

__all__ = [
    "THREAD_VARIABLES",
    "Task",
    "dask_task",
    "failed_result",
    "one_line",
    "run_task",
    "worker_environment",
    "worker_main",
]

log = logging.getLogger(__name__)

# Native thread pools (BLAS/OpenMP under numpy and thinc) default to one thread per core; with
# one worker process per core that oversubscribes the CPUs. One thread per worker.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


@dataclass(frozen=True, slots=True)
class Task:
    """One file for a worker (plain and picklable).

    Attributes:
        index: the input's position in the batch.
        path: the transcript file.
        name: the name the snapshot shows (relative to the folder it was found in).
        out_dir: where its outputs go.
        stem: the outputs' name stem.
    """

    index: int
    path: str
    name: str
    out_dir: str
    stem: str


def failed_result(
    task: Task, error: str, *, error_type: str = "Error", **extra: Any
) -> dict[str, Any]:
    """The result of a file that failed (also made by the parent when a worker died)."""
    result: dict[str, Any] = {
        "index": task.index,
        "input": task.path,
        "name": task.name,
        "status": "failed",
        "error": error,
        "error_type": error_type,
        "seconds": 0.0,
        "peak_rss_mb": None,
        "outputs": [],
        "bytes": None,
        "words": None,
        "model": None,
        "metrics": {},
        "warnings": [],
        "worker": None,
        "from_cache": False,
    }
    result.update(extra)
    return result


_MAX_REASON = 400


def _up(mb: float) -> float:
    """A peak in MB to one decimal, rounded up: a peak past a limit never reads as within it."""
    return math.ceil(mb * 10) / 10


def one_line(text: str, limit: int = _MAX_REASON) -> str:
    """A message on one line: a multi-line one (a traceback wrapped into an error, as spaCy's
    multiprocessing errors are) becomes its first and last lines.

    >>> one_line("E871: error in nlp.pipe:\\n\\nTraceback ...\\n  File x\\nValueError: too long")
    'E871: error in nlp.pipe: ... ValueError: too long'
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    out = lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _describe(exc: BaseException, task: Task) -> str:
    if isinstance(exc, SnapshotError):
        text = str(exc)
    elif isinstance(exc, OSError):
        text = f"{exc.filename or task.path}: {exc.strerror or exc}"
    elif isinstance(exc, MemoryError):
        text = "out of memory"
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = one_line(text)
    # The reason names the file (most of our errors already do).
    if task.path not in text and task.name not in text:
        text = f"{task.name}: {text}"
    return text


def run_task(
    task: Task, *, formats: list[str], config: Config, limit_mb: float | None
) -> dict[str, Any]:
    """Process one transcript; return a plain result dict (never raises for a bad file).

    Args:
        task: the file and where its outputs go.
        formats: the output formats (already resolved).
        config: the batch's settings (progress bars are off in workers).
        limit_mb: the worker's memory limit (RSS of the whole worker process), or None.

    Returns:
        ``index``, ``input``, ``name``, ``status`` (``"ok"``/``"failed"``), ``error``,
        ``error_type``, ``seconds``, ``peak_rss_mb`` (this file's peak RSS of the worker),
        ``outputs``, ``words``, ``metrics`` (``ProcessResult.metrics``), ``warnings``,
        ``worker`` (pid), ``worker_peak_rss_mb``, ``recycle`` (the worker should be replaced,
        after a memory failure) and, on success, ``snapshot_json`` (for the result cache).
    """
    from customer_snapshot.memory.decorators import memory_limit, profile_block
    from customer_snapshot.memory.rss import peak_rss_mb
    from customer_snapshot.pipeline import process_file

    # The workers are the parallelism: a worker does not start spaCy processes of its own
    # (two workers on two cores would otherwise run four busy processes on a large file).
    config = config.replace(nlp_processes=1)
    t0 = time.perf_counter()
    try:
        size: int | None = os.path.getsize(task.path)
    except OSError:
        size = None
    block = profile_block(task.name, level=logging.DEBUG, sample_interval=0.05)
    error: BaseException | None = None
    done: Any = None
    try:
        with block, memory_limit(limit_mb or None, where=task.name):
            done = process_file(
                task.path,
                formats=formats,
                output=task.out_dir + os.sep,
                config=config,
                name=task.name,
                stem=task.stem,
            )
    except (Exception, MemoryError) as exc:  # one file's failure is a result, not a crash
        error = exc
        log.debug("%s failed", task.name, exc_info=True)
    if isinstance(error, MemoryError):
        # Give the memory back before the next file (the worker is replaced after its batch).
        import gc

        from customer_snapshot.memory.optimizer import trim_heap

        gc.collect()
        trim_heap()
    seconds = round(time.perf_counter() - t0, 3)
    usage = block.usage
    common: dict[str, Any] = {
        "bytes": size,
        "seconds": seconds,
        "peak_rss_mb": _up(usage.peak_mb),
        "worker": os.getpid(),
        "worker_peak_rss_mb": _up(peak_rss_mb()),
    }
    if error is not None or done is None:
        failure = error if error is not None else RuntimeError("no result")
        return failed_result(
            task,
            _describe(failure, task),
            error_type=type(failure).__name__,
            recycle=isinstance(failure, MemoryError),
            **common,
        )
    snapshot = done.snapshot
    data = snapshot.to_dict()
    return {
        "index": task.index,
        "input": task.path,
        "name": task.name,
        "status": "ok",
        "error": None,
        "error_type": None,
        "outputs": list(done.outputs),
        "words": data.get("source", {}).get("words"),
        "model": data.get("generator", {}).get("model"),
        "metrics": dict(done.metrics),
        "warnings": list(getattr(snapshot, "warnings", []) or []),
        "recycle": False,
        "from_cache": False,
        "snapshot_json": json.dumps(data, ensure_ascii=False),
        **common,
    }


def _prepare_process(config: Config) -> None:
    """Once per worker process: Ctrl-C left to the parent, logging to stderr."""
    # The parent handles Ctrl-C (it stops the workers and writes the report).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(f"customer-snapshot: worker {os.getpid()}: %(levelname)s: %(message)s")
    )
    root = logging.getLogger("customer_snapshot")
    root.handlers[:] = [handler]
    root.setLevel(config.log_level)
    root.propagate = False


def worker_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of a local worker process: ours, with one native thread per worker.

    >>> worker_environment({"OMP_NUM_THREADS": "4"})["OMP_NUM_THREADS"]  # the user's choice wins
    '4'
    >>> worker_environment({})["OPENBLAS_NUM_THREADS"]
    '1'
    """
    env = dict(environ)
    for var in THREAD_VARIABLES:
        env.setdefault(var, "1")
    return env


def worker_main(conn: Any) -> None:
    """A local worker process: load the model, then process the files the parent sends.

    Protocol over ``conn`` (a :class:`multiprocessing.connection.Connection`): the parent
    first sends ``(config, formats, limit_mb)``; the worker loads the spaCy pipeline and sends
    ``{"kind": "ready", ...}``; then it receives lists of :class:`Task` and sends one result
    dict per file, in order. ``None`` or a closed connection ends it.
    """
    try:
        config, formats, limit_mb = conn.recv()
    except (EOFError, OSError):
        return
    _prepare_process(config)
    from customer_snapshot.memory.rss import peak_rss_mb, rss_mb
    from customer_snapshot.nlp.model import load_model

    t0 = time.perf_counter()
    try:
        load_model(config.spacy_model)
    except SnapshotError as exc:  # every file will report it
        log.debug("model not loaded: %s", exc)
    conn.send(
        {
            "kind": "ready",
            "pid": os.getpid(),
            "load_seconds": round(time.perf_counter() - t0, 3),
            "rss_mb": round(rss_mb(), 1),
            "peak_rss_mb": _up(peak_rss_mb()),
        }
    )
    while True:
        try:
            tasks = conn.recv()
        except (EOFError, OSError):  # the parent went away
            return
        if tasks is None:
            return
        for task in tasks:
            result = run_task(task, formats=formats, config=config, limit_mb=limit_mb)
            try:
                conn.send(result)
            except OSError:  # the parent went away (killed): nobody is waiting
                return


# Dask may run several tasks in threads of one worker process; the spaCy pipeline is shared
# by the process, so files are analysed one at a time per process.
_dask_lock = threading.Lock()


def dask_task(
    task: Task, formats: list[str], config: Config, limit_mb: float | None
) -> dict[str, Any]:
    """:func:`run_task` on a Dask worker (model cached per worker process)."""
    with _dask_lock:
        return run_task(task, formats=formats, config=config, limit_mb=limit_mb)
