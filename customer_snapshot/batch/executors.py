"""Where a batch's files are processed: local worker processes, or a Dask cluster.

Both executors take :class:`~customer_snapshot.batch.worker.Task` objects and yield one plain
result dict per task, in the order they finish.

Local workers are our own processes (``python -m customer_snapshot.batch.worker_process``, not
``multiprocessing.Pool``), one socket pair each, so the parent always knows which file each
worker is on:

* a worker that dies (the kernel's out-of-memory killer, a crash in native code) fails the file
  it was on, with the signal or exit code; its other queued files go back to the queue and a new
  worker takes over;
* a worker is recycled (stopped and replaced) after ``recycle_after`` files, which bounds what
  any slow leak can accumulate, and after the batch of files in which one passed its memory
  limit (the file fails; the worker collects garbage and goes on with its batch);
* files are handed out ``batch_size`` at a time, shrunk as the worker's memory nears its limit
  (:func:`~customer_snapshot.memory.sizing.adaptive_batch_size`) and near the end of the queue,
  so no worker sits idle while another holds a long list.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from customer_snapshot.batch.worker import Task, failed_result, worker_environment
from customer_snapshot.config import Config
from customer_snapshot.errors import ConfigError

__all__ = ["DEFAULT_RECYCLE_AFTER", "DaskExecutor", "LocalExecutor", "WorkerInfo"]

log = logging.getLogger(__name__)

DEFAULT_RECYCLE_AFTER = 100  # files per worker process before it is replaced
_STOP_TIMEOUT = 10.0  # seconds a stopped worker gets to exit before it is killed


@dataclass
class WorkerInfo:
    """What one worker process did (for the report)."""

    slot: int
    pid: int | None = None
    load_seconds: float | None = None
    files: int = 0
    failed: int = 0
    peak_rss_mb: float = 0.0
    exit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "slot": self.slot,
            "pid": self.pid,
            "load_seconds": self.load_seconds,
            "files": self.files,
            "failed": self.failed,
            "peak_rss_mb": self.peak_rss_mb,
            "exit": self.exit,
        }


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    info: WorkerInfo
    in_flight: deque[Task] = field(default_factory=deque)
    assigned: int = 0
    usage_ratio: float = 0.0
    retire: bool = False
    since: float = 0.0  # when the file at the head of ``in_flight`` started (monotonic)
    ready: bool = False  # the model is loaded: the timeout runs only from here


def _exit_reason(exitcode: int | None) -> str:
    """How a process ended, for a person.

    >>> _exit_reason(-9), _exit_reason(3)
    ('killed by signal SIGKILL', 'exited with code 3')
    """
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


class LocalExecutor:
    """Worker processes on this machine.

    Args:
        workers: how many worker processes run at once.
        config: the settings handed to every worker.
        formats: the output formats.
        limit_mb: each worker's memory limit (RSS), or None.
        batch_size: files handed to a worker at a time (before adaptive shrinking).
        recycle_after: files a worker process handles before it is replaced.
        timeout: seconds one file may take (model loading not counted); past it the worker
            is stopped, that file fails (``error_type`` ``Timeout``) and the batch goes on.
            ``None``: no limit.
    """

    name = "local"

    def __init__(
        self,
        *,
        workers: int,
        config: Config,
        formats: list[str],
        limit_mb: float | None,
        batch_size: int = 8,
        recycle_after: int = DEFAULT_RECYCLE_AFTER,
        timeout: float | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be positive")
        if recycle_after < 1:
            raise ValueError("recycle_after must be at least 1")
        self.workers = workers
        self.config = config.replace(progress=False)
        self.formats = formats
        self.limit_mb = limit_mb
        self.batch_size = max(1, batch_size)
        self.recycle_after = recycle_after
        self.timeout = timeout
        self.worker_log: list[WorkerInfo] = []
        self._slots = 0

    # -- worker lifecycle -------------------------------------------------------------------

    def _start(self) -> _Worker:
        self._slots += 1
        ours, theirs = socket.socketpair()
        with ours, theirs:
            # Its own session: the terminal's Ctrl-C reaches only the parent, which stops the
            # workers itself after writing down what is done.
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "customer_snapshot.batch.worker_process",
                    str(theirs.fileno()),
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=sys.stderr.fileno() if _has_fileno(sys.stderr) else subprocess.DEVNULL,
                env=worker_environment(os.environ),
                start_new_session=True,
            )
            conn = Connection(ours.detach())
        with contextlib.suppress(OSError):  # died at once: its end of file says so below
            conn.send((self.config, self.formats, self.limit_mb))
        info = WorkerInfo(slot=self._slots, pid=proc.pid)
        self.worker_log.append(info)
        return _Worker(proc, conn, info)

    def _end(self, w: _Worker, *, kill: bool = False) -> None:
        if kill and w.process.poll() is None:
            w.process.terminate()
        try:
            w.process.wait(_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            w.process.kill()
            w.process.wait()
        w.conn.close()
        w.info.exit = w.info.exit or ("stopped" if kill else _exit_reason(w.process.returncode))

    def _stop(self, w: _Worker) -> None:
        with contextlib.suppress(OSError, ValueError):  # already gone
            w.conn.send(None)
        self._end(w)

    def _kill_all(self, workers: list[_Worker]) -> None:
        for w in workers:
            if w.process.poll() is None:
                w.process.terminate()
        for w in workers:
            self._end(w, kill=True)

    # -- scheduling -------------------------------------------------------------------------

    def _chunk(self, w: _Worker, pending: int, active: int) -> int:
        from customer_snapshot.memory.sizing import adaptive_batch_size

        size = adaptive_batch_size(self.batch_size, w.usage_ratio)
        fair = math.ceil(pending / max(1, active))  # keep the tail of the queue shared
        left = self.recycle_after - w.assigned
        return max(1, min(size, fair, left))

    def _accept(self, w: _Worker, msg: dict[str, Any]) -> dict[str, Any] | None:
        w.since = time.monotonic()  # the next file starts now (after loading, or a result)
        if msg.get("kind") == "ready":
            w.ready = True
            w.info.load_seconds = msg.get("load_seconds")
            w.info.peak_rss_mb = max(w.info.peak_rss_mb, float(msg.get("peak_rss_mb") or 0.0))
            return None
        task = w.in_flight.popleft()
        if msg.get("index") != task.index:  # pragma: no cover - the protocol is in order
            raise RuntimeError(f"worker answered for file {msg.get('index')}, not {task.index}")
        w.info.files += 1
        if msg["status"] != "ok":
            w.info.failed += 1
        w.info.peak_rss_mb = max(w.info.peak_rss_mb, float(msg.get("worker_peak_rss_mb") or 0.0))
        if self.limit_mb:
            w.usage_ratio = float(msg.get("peak_rss_mb") or 0.0) / self.limit_mb
        if msg.get("recycle"):
            w.retire = True
        return msg

    def run(self, tasks: Sequence[Task]) -> Generator[dict[str, Any], None, None]:
        """Process ``tasks``; yield each result as it arrives.

        Stops (and kills) every worker when the consumer stops early or on Ctrl-C.
        """
        pending: deque[Task] = deque(tasks)
        live: list[_Worker] = []
        try:
            while pending or any(w.in_flight for w in live):
                # Start workers while there is work for them.
                while len(live) < min(
                    self.workers, len(pending) + sum(1 for w in live if w.in_flight)
                ):
                    live.append(self._start())
                # Recycle idle workers that are due; hand out work to idle ones.
                for w in list(live):
                    if w.in_flight:
                        continue
                    if w.retire or w.assigned >= self.recycle_after:
                        self._stop(w)
                        live.remove(w)
                        continue
                    if pending:
                        n = self._chunk(w, len(pending), len(live))
                        chunk = [pending.popleft() for _ in range(min(n, len(pending)))]
                        w.in_flight.extend(chunk)
                        w.assigned += len(chunk)
                        w.since = time.monotonic()
                        with contextlib.suppress(OSError):  # died: its end of file says so
                            w.conn.send(chunk)
                if not any(w.in_flight for w in live):
                    continue  # a recycled worker is being replaced
                # A worker's connection is readable when it sent a result, and at its end of
                # file when the process died.
                overdue = self._overdue(live)
                if overdue:
                    for w in overdue:
                        yield from self._time_out(w, live, pending)
                    continue  # replace them, hand out what they had not started
                by_conn = {w.conn: w for w in live}
                died: list[_Worker] = []
                for conn in wait(list(by_conn), timeout=self._next_deadline(live)):
                    w = by_conn[conn]  # type: ignore[index]
                    try:
                        while w.conn.poll():
                            result = self._accept(w, w.conn.recv())
                            if result is not None:
                                yield result
                    except (EOFError, OSError):
                        died.append(w)
                for w in died:
                    yield from self._bury(w, live, pending)
            for w in live:  # all done: the workers exit on their own
                self._stop(w)
            live.clear()
        finally:
            if live:  # stopped early (Ctrl-C, an error, the consumer went away)
                self._kill_all(live)

    def _next_deadline(self, live: list[_Worker]) -> float | None:
        """Seconds until the first file in progress passes the timeout (None: no timeout)."""
        if self.timeout is None:
            return None
        starts = [w.since for w in live if w.in_flight and w.ready]
        if not starts:
            return None
        return max(0.0, min(starts) + self.timeout - time.monotonic())

    def _overdue(self, live: list[_Worker]) -> list[_Worker]:
        if self.timeout is None:
            return []
        now = time.monotonic()
        return [w for w in live if w.in_flight and w.ready and now - w.since > self.timeout]

    def _time_out(
        self, w: _Worker, live: list[_Worker], pending: deque[Task]
    ) -> Iterator[dict[str, Any]]:
        """A file took longer than the timeout: stop its worker, fail that file, go on."""
        self._end(w, kill=True)
        w.info.exit = f"stopped: a file passed the {self.timeout:g} s timeout"
        live.remove(w)
        task = w.in_flight.popleft()
        w.info.files += 1
        w.info.failed += 1
        why = (
            f"{task.name}: took longer than {self.timeout:g} s (--timeout-per-file); "
            f"worker process {w.info.pid} stopped"
        )
        log.warning("%s", why)
        yield failed_result(task, why, error_type="Timeout", worker=w.info.pid)
        pending.extendleft(reversed(w.in_flight))  # not started: another worker takes them
        w.in_flight.clear()

    def _bury(
        self, w: _Worker, live: list[_Worker], pending: deque[Task]
    ) -> Iterator[dict[str, Any]]:
        """A worker's connection closed: the process ended. Fail the file it was on."""
        self._end(w)
        reason = _exit_reason(w.process.returncode)
        live.remove(w)
        if w.in_flight:
            task = w.in_flight.popleft()
            w.info.files += 1
            w.info.failed += 1
            why = f"{task.name}: worker process {w.info.pid} {reason} while processing it"
            if w.process.returncode == -signal.SIGKILL:
                why += " (out of memory?)"
            log.warning("%s", why)
            yield failed_result(task, why, error_type="WorkerDied", worker=w.info.pid)
            pending.extendleft(reversed(w.in_flight))  # not started: another worker takes them
            w.in_flight.clear()


def _has_fileno(stream: Any) -> bool:
    try:
        stream.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    return True


class DaskExecutor:
    """The same work on a Dask distributed cluster (``pip install 'customer-snapshot[dask]'``).

    Every Dask worker needs customer-snapshot installed and the inputs and ``OUT_DIR`` at the
    same paths (a shared file system); the spaCy pipeline is loaded once per Dask worker
    process. Recycling and worker memory are Dask's (``--memory-limit`` of ``dask worker``).

    Args:
        scheduler: the scheduler's address (``tcp://host:8786``).
        config: the settings handed to every task.
        formats: the output formats.
        limit_mb: each task's memory limit (RSS of the Dask worker process), or None.
        connect_timeout: seconds to wait for the scheduler.
    """

    name = "dask"

    def __init__(
        self,
        *,
        scheduler: str,
        config: Config,
        formats: list[str],
        limit_mb: float | None,
        connect_timeout: float = 10.0,
    ) -> None:
        self.scheduler = scheduler
        self.connect_timeout = connect_timeout
        self.config = config.replace(progress=False)
        self.formats = formats
        self.limit_mb = limit_mb
        self.workers: int | None = None
        self.worker_log: list[WorkerInfo] = []

    def _client(self) -> Any:
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError(
                "--executor", "dask", "needs the dask extra: pip install 'customer-snapshot[dask]'"
            ) from None
        connect: Any = Client  # distributed's API is untyped
        try:
            return connect(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(
                "--scheduler", self.scheduler, f"no Dask scheduler there: {exc}"
            ) from None

    def run(self, tasks: Sequence[Task]) -> Generator[dict[str, Any], None, None]:
        """Submit every task; yield each result as it completes."""
        from distributed import as_completed

        completed: Any = as_completed
        from customer_snapshot.batch.worker import dask_task

        client = self._client()
        futures: dict[Any, Task] = {}
        try:
            info = client.scheduler_info()
            self.workers = len(info.get("workers", {}))
            stamp = f"{time.time_ns():x}"
            for task in tasks:
                fut = client.submit(
                    dask_task,
                    task,
                    self.formats,
                    self.config,
                    self.limit_mb,
                    key=f"customer-snapshot-{stamp}-{task.index}",
                    pure=False,
                )
                futures[fut] = task
            for fut in completed(list(futures), loop=client.loop):
                task = futures.pop(fut)
                try:
                    result: dict[str, Any] = fut.result()
                except Exception as exc:  # noqa: BLE001 - any remote failure fails this file
                    why = f"{task.name}: Dask task failed: {type(exc).__name__}: {exc}"
                    log.warning("%s", why)
                    result = failed_result(task, why, error_type="WorkerDied")
                yield result
        finally:
            if futures:
                client.cancel(list(futures))
            client.close()
