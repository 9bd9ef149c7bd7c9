"""Run a batch: discover, serve what the cache has, process the rest, report.

Library first: ``customer-snapshot batch`` is a thin wrapper over :func:`run_batch`. The parent
process never imports spaCy: it hashes the inputs, answers cache hits by writing the stored
documents, hands the misses to an executor, stores each success in the cache as soon as it
arrives (so a batch stopped with Ctrl-C resumes where it stopped), and writes the report.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from customer_snapshot._version import __version__
from customer_snapshot.batch.cache import (
    CACHEABLE_FAILURES,
    ResultCache,
    cache_key,
    file_sha256,
    settings_fingerprint,
)
from customer_snapshot.batch.discover import BatchInput, discover
from customer_snapshot.batch.executors import DEFAULT_RECYCLE_AFTER, DaskExecutor, LocalExecutor
from customer_snapshot.batch.report import BatchReport, public_result, write_report
from customer_snapshot.batch.worker import Task, failed_result
from customer_snapshot.config import Config
from customer_snapshot.errors import ConfigError

__all__ = ["EXECUTORS", "resolve_workers", "run_batch"]

log = logging.getLogger(__name__)

EXECUTORS = ("local", "dask")


def resolve_workers(requested: int | str | None, config: Config) -> tuple[int, str]:
    """The number of local worker processes, and how it was found.

    ``None`` or ``"auto"``: available memory / ``MEMORY_LIMIT_PER_WORKER``, capped by the CPUs
    and by ``MAX_WORKERS`` when set, halved under ``--low-memory`` (the calculation is logged).
    A number: that many.

    >>> resolve_workers(3, Config.from_env({}))
    (3, '--workers 3')
    """
    if isinstance(requested, int):
        if requested < 1:
            raise ConfigError("--workers", requested, "must be at least 1")
        return requested, f"--workers {requested}"
    if requested not in (None, "auto"):
        raise ConfigError("--workers", requested, "expected a number or auto")
    from customer_snapshot.memory.sizing import compute_worker_count

    n, why = compute_worker_count(
        config.memory_limit_per_worker,
        max_workers=config.max_workers,
        low_memory=config.low_memory,
    )
    log.info("workers: auto: %s", why)
    return n, f"auto: {why}"


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="batch", file=sys.stderr, dynamic_ncols=True)


@contextlib.contextmanager
def _logs_around(bar: Any) -> Iterator[None]:
    """Route our log lines through the progress bar while it is drawn (no torn lines)."""
    if bar is None:
        yield
        return
    from tqdm.contrib.logging import logging_redirect_tqdm

    with logging_redirect_tqdm(loggers=[logging.getLogger("customer_snapshot")]):
        yield


def _open_cache(config: Config) -> ResultCache | None:
    try:
        return ResultCache.for_config(config)
    except OSError as exc:  # an unwritable SNAPSHOT_HOME costs the cache, not the batch
        log.warning("result cache unavailable in %s: %s", config.snapshot_home, exc)
        return None


def _serve_cached(
    cache: ResultCache, key: str, item: BatchInput, formats: list[str]
) -> dict[str, Any] | None:
    """Write the stored documents of a cache hit; None on a miss."""
    from customer_snapshot.pipeline import write_atomic
    from customer_snapshot.render import output_name, render_bytes

    t0 = time.perf_counter()
    hit = cache.get(key, formats)
    if hit is None:
        return None
    missing = [f for f in formats if f not in hit.renders]
    if missing:  # asked for a format the earlier run did not write: render, no analysis
        data = json.loads(hit.snapshot_json)
        fresh = {f: render_bytes(data, f) for f in missing}
        cache.add_renders(key, fresh)
        hit.renders.update(fresh)
    outputs = []
    folder = Path(item.out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for f in formats:
        path = folder / output_name(item.stem, f)
        write_atomic(path, hit.renders[f])
        outputs.append(str(path))
    meta = hit.meta
    return {
        "input": item.path,
        "name": item.name,
        "status": "cached",
        "error": None,
        "error_type": None,
        "seconds": round(time.perf_counter() - t0, 3),
        "peak_rss_mb": None,  # nothing was analysed: see metrics for the original run
        "outputs": outputs,
        "bytes": meta.get("bytes"),
        "words": meta.get("words"),
        "model": meta.get("model"),
        "metrics": meta.get("metrics", {}),
        "warnings": meta.get("warnings", []),
        "worker": None,
        "from_cache": True,
        "analysis_seconds": meta.get("seconds"),
    }


def _store(
    cache: ResultCache,
    key: str,
    sha256: str,
    result: dict[str, Any],
    formats: list[str],
) -> None:
    """Put a fresh result into the cache: a success's snapshot and the documents just written,
    or a failure that the same input always repeats."""
    if result["status"] != "ok":
        if result.get("error_type") in CACHEABLE_FAILURES:
            cache.put_failure(
                key,
                name=result["name"],
                sha256=sha256,
                error=result["error"],
                error_type=result["error_type"],
            )
        return
    renders: dict[str, bytes] = {}
    for fmt, path in zip(formats, result["outputs"], strict=False):
        try:
            renders[fmt] = Path(path).read_bytes()
        except OSError:
            continue
    cache.put(
        key,
        name=result["name"],
        sha256=sha256,
        snapshot_json=result["snapshot_json"],
        renders=renders,
        meta={
            "bytes": result.get("bytes"),
            "model": result.get("model"),
            "words": result.get("words"),
            "seconds": result.get("seconds"),
            "peak_rss_mb": result.get("peak_rss_mb"),
            "metrics": result.get("metrics", {}),
            "warnings": result.get("warnings", []),
        },
    )


def _interrupted(item: BatchInput) -> dict[str, Any]:
    task = Task(item.index, item.path, item.name, item.out_dir, item.stem)
    out = public_result(failed_result(task, "not processed: the batch was interrupted"))
    out.update(status="interrupted", error_type=None)
    return out


def _record(entry: dict[str, Any], config: Config, batch_id: str) -> None:
    """The one place a batch's per-file results go into the run-metrics store.

    Called as each analysed file's result arrives (so ``dashboard --serve`` follows a running
    batch): an analysed file (``ok`` or ``failed``; not a cache hit, which ran no analysis)
    becomes one run of command ``batch`` under the batch's id, through
    ``customer_snapshot.ops.metrics.record_run`` (which never raises).
    """
    from customer_snapshot.ops.metrics import record_run

    if entry["status"] in ("ok", "failed") and not entry.get("from_cache"):
        record_run(
            config=config,
            command="batch",
            source_name=entry["name"],
            source_bytes=entry.get("bytes"),
            words=entry.get("words"),
            metrics=entry.get("metrics") or {},
            warnings=entry.get("warnings") or (),
            status=entry["status"],
            error=entry.get("error"),
            seconds=entry.get("seconds"),
            model=entry.get("model"),
            batch_id=batch_id,
        )


def run_batch(
    paths: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    formats: str | Sequence[str] = "json",
    config: Config | None = None,
    workers: int | str | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    use_cache: bool = True,
    recycle_after: int = DEFAULT_RECYCLE_AFTER,
    timeout: float | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> BatchReport:
    """Process every transcript in ``paths`` (folders, searched recursively, and files).

    Args:
        paths: folders and files.
        output: ``OUT_DIR``; outputs mirror the sub-folders; ``batch_report.json`` goes here.
        formats: ``md``, ``html``, ``docx``, ``json``, ``all`` or a list of them.
        config: settings (``batch_size``, ``memory_limit_per_worker``, ``max_workers``,
            ``low_memory``, ``progress``, ``snapshot_home`` ...); default ``Config()``.
        workers: local worker processes: a number, or ``None``/``"auto"`` (from memory).
        executor: ``"local"`` or ``"dask"``.
        scheduler: the Dask scheduler's address (``executor="dask"``).
        use_cache: read the result cache (fresh results are stored either way).
        recycle_after: files a local worker handles before it is replaced.
        timeout: seconds one file may take on a local worker (None: no limit); past it the
            worker is stopped, the file fails with ``error_type`` ``Timeout``, the rest go on.
        on_result: called with each input's report entry as it is decided.

    Returns:
        The :class:`BatchReport` (also written to ``OUT_DIR/batch_report.json``). Its
        ``exit_code`` is 0 only when every input succeeded.

    Raises:
        ConfigError: bad settings, no transcripts found, or no Dask scheduler at ``scheduler``.
        KeyboardInterrupt: after the report of an interrupted batch was written.
    """
    from customer_snapshot.render import resolve_formats

    config = config or Config()
    fmts = resolve_formats(formats)
    if executor not in EXECUTORS:
        raise ConfigError("--executor", executor, "choose local or dask")
    if executor == "dask" and not scheduler:
        raise ConfigError("--scheduler", scheduler, "--executor dask needs --scheduler ADDR")
    if executor != "dask" and scheduler:
        raise ConfigError("--scheduler", scheduler, "only with --executor dask")
    if timeout is not None and timeout <= 0:
        raise ConfigError("--timeout-per-file", timeout, "must be more than 0 seconds")
    if timeout is not None and executor == "dask":
        raise ConfigError("--timeout-per-file", timeout, "only with the local executor")
    if workers is not None and not isinstance(workers, int) and workers != "auto":
        raise ConfigError("--workers", workers, "expected a number or auto")
    if isinstance(workers, int) and workers < 1:
        raise ConfigError("--workers", workers, "must be at least 1")
    out = Path(output)
    if out.exists() and not out.is_dir():
        raise ConfigError("--output", str(out), "batch writes a folder: give a folder")
    inputs = discover(paths, out)
    if not inputs:
        shown = " ".join(str(p) for p in paths)
        raise ConfigError("INPUT", shown, "no .vtt or .srt transcripts found")
    out.mkdir(parents=True, exist_ok=True)

    started = datetime.now(UTC)
    batch_id = uuid.uuid4().hex
    t0 = time.perf_counter()
    limit_mb = config.memory_limit_per_worker_mb or None
    cache = _open_cache(config)
    fingerprint = settings_fingerprint(config)
    results: dict[int, dict[str, Any]] = {}
    keys: dict[int, tuple[str, str]] = {}
    tasks: list[Task] = []
    settings: dict[str, Any] = {
        "generator": {"name": "customer-snapshot", "version": __version__},
        "batch_id": batch_id,
        "started": started.isoformat(timespec="seconds"),
        "inputs": [str(p) for p in paths],
        "output": str(out),
        "formats": fmts,
        "executor": executor,
        "scheduler": scheduler,
        "workers": 0,
        "workers_reason": "every file was served from the cache or failed before analysis",
        "batch_size": config.batch_size,
        "low_memory": config.low_memory,
        "memory_limit_per_worker_mb": round(limit_mb, 1) if limit_mb else None,
        "recycle_after": recycle_after,
        "timeout_per_file": timeout,
        "cache": {
            "enabled": use_cache and cache is not None,
            "path": str(cache.path) if cache is not None else None,
            "settings": fingerprint,
        },
    }
    bar = _progress_bar(len(inputs), config.progress)
    interrupted: KeyboardInterrupt | None = None
    runner: LocalExecutor | DaskExecutor | None = None

    def decide(index: int, entry: dict[str, Any]) -> None:
        entry = public_result(entry)
        results[index] = entry
        if entry["status"] == "failed":
            log.warning("failed: %s", entry["error"])
        if bar is not None:
            bar.update(1)
        if on_result is not None:
            on_result(entry)

    try:
        with _logs_around(bar):
            for item in inputs:
                task = Task(item.index, item.path, item.name, item.out_dir, item.stem)
                if item.error is not None:
                    why = f"{item.path}: {item.error}"
                    decide(item.index, failed_result(task, why, error_type="FileNotFoundError"))
                    continue
                try:
                    sha = file_sha256(item.path)
                except OSError as exc:
                    why = f"{item.path}: {exc.strerror or exc}"
                    decide(item.index, failed_result(task, why, error_type=type(exc).__name__))
                    continue
                key = cache_key(sha, item.name, fingerprint)
                keys[item.index] = (key, sha)
                if use_cache and cache is not None:
                    known = cache.get_failure(key)
                    if known is not None:  # unchanged since it failed: the same failure
                        failed = failed_result(task, known[0], error_type=known[1])
                        decide(item.index, {**failed, "from_cache": True})
                        continue
                    try:
                        hit = _serve_cached(cache, key, item, fmts)
                    except OSError as exc:
                        why = f"{item.path}: cannot write its outputs: {exc.strerror or exc}"
                        decide(item.index, failed_result(task, why, error_type="OutputError"))
                        continue
                    if hit is not None:
                        decide(item.index, hit)
                        continue
                tasks.append(task)
            if tasks:
                runner = _executor(
                    executor, scheduler, workers, tasks, config, fmts, limit_mb, recycle_after,
                    timeout, settings,
                )  # fmt: skip
                with contextlib.closing(runner.run(tasks)) as stream:
                    for result in stream:
                        index = int(result["index"])
                        if cache is not None and index in keys:
                            key, sha = keys[index]
                            try:
                                _store(cache, key, sha, result, fmts)
                            except (sqlite3.Error, OSError) as exc:  # a locked or full disk
                                log.warning("result cache: not stored: %s", exc)
                        decide(index, result)
                        _record(results[index], config, batch_id)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (the CLI raises Terminated)
        interrupted = exc
    finally:
        if bar is not None:
            bar.close()
        if cache is not None:
            with contextlib.suppress(Exception):
                cache.prune()
            cache.close()

    if runner is not None:
        settings["worker_processes"] = [w.to_dict() for w in runner.worker_log]
        if isinstance(runner, DaskExecutor):
            settings["workers"] = runner.workers
    settings["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    report = BatchReport(
        files=[results.get(item.index) or _interrupted(item) for item in inputs],
        settings=settings,
        seconds=time.perf_counter() - t0,
        interrupted=interrupted is not None,
    )
    write_report(report, out)
    if interrupted is not None:
        raise interrupted
    return report


def _executor(
    kind: str,
    scheduler: str | None,
    workers: int | str | None,
    tasks: list[Task],
    config: Config,
    formats: list[str],
    limit_mb: float | None,
    recycle_after: int,
    timeout: float | None,
    settings: dict[str, Any],
) -> LocalExecutor | DaskExecutor:
    """The executor for the files to analyse; records the worker count and why in ``settings``."""
    if kind == "dask":
        assert scheduler is not None
        settings["workers_reason"] = f"the Dask cluster at {scheduler}"
        return DaskExecutor(scheduler=scheduler, config=config, formats=formats, limit_mb=limit_mb)
    n, why = resolve_workers(workers, config)
    if n > len(tasks):
        why += f"; {len(tasks)} file{'s' if len(tasks) != 1 else ''} to analyse -> {len(tasks)}"
        n = len(tasks)
    settings["workers"] = n
    settings["workers_reason"] = why
    return LocalExecutor(
        workers=n,
        config=config,
        formats=formats,
        limit_mb=limit_mb,
        batch_size=config.batch_size,
        recycle_after=recycle_after,
        timeout=timeout,
    )
