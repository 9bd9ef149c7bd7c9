"""The run metrics store: every ``process``/``batch`` run, in one SQLite file under SNAPSHOT_HOME.

Writers call :func:`record_run` once per processed file (the CLI's ``process``, batch mode);
it never raises: a run must not fail because its metrics could not be written, so a store
problem is logged as a warning and ``None`` is returned. Readers (the ``metrics`` and
``dashboard`` commands) use :class:`MetricsStore`.

The file is ``$SNAPSHOT_HOME/metrics.sqlite3``::

    runs      one row per run: when, command, batch id, file, bytes, words, seconds, peak RSS,
              words per second, memory limit, model, status, error, the full metrics as JSON
    stages    per run and stage (read, analyze, build, render, ...): seconds and peak RSS
    samples   the memory monitor's readings during the run (RSS, available memory)
    warnings  the snapshot's warnings
    alerts    the memory monitor's alerts (metric, level, value, threshold, message)
    totals    monotonic counters (runs, words, bytes, seconds, alerts) that survive pruning

Bounds: at most :data:`MAX_SAMPLES` samples (thinned evenly), :data:`MAX_WARNINGS` warnings and
:data:`MAX_ALERTS` alerts are kept per run, and only the newest :data:`MAX_RUNS` runs are kept.
Several processes may write at once (batch workers): the database is in WAL mode and writers
wait up to 30 s for the lock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from customer_snapshot.config import Config

__all__ = [
    "DB_NAME",
    "MAX_ALERTS",
    "MAX_RUNS",
    "MAX_SAMPLES",
    "MAX_WARNINGS",
    "AlertRecord",
    "MetricsStore",
    "RecordedRun",
    "RunMonitor",
    "RunRecord",
    "SampleRecord",
    "monitor_run",
    "record_run",
    "recorded_run",
    "store_path",
    "thin",
]

log = logging.getLogger(__name__)

DB_NAME = "metrics.sqlite3"
SCHEMA_VERSION = 1
MAX_RUNS = 10_000
MAX_SAMPLES = 2_000
MAX_WARNINGS = 200
MAX_ALERTS = 200
_TIMEOUT = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at       REAL NOT NULL,
    finished_at      REAL NOT NULL,
    command          TEXT NOT NULL,
    batch_id         TEXT,
    source_name      TEXT NOT NULL,
    source_bytes     INTEGER,
    words            INTEGER,
    seconds          REAL,
    peak_rss_mb      REAL,
    words_per_second REAL,
    memory_limit_mb  REAL,
    model            TEXT,
    status           TEXT NOT NULL,
    error            TEXT,
    metrics_json     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at);
CREATE INDEX IF NOT EXISTS runs_batch ON runs (batch_id);
CREATE TABLE IF NOT EXISTS stages (
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    seconds     REAL,
    peak_rss_mb REAL,
    PRIMARY KEY (run_id, position)
);
CREATE TABLE IF NOT EXISTS samples (
    run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    timestamp    REAL NOT NULL,
    rss_mb       REAL NOT NULL,
    available_mb REAL
);
CREATE INDEX IF NOT EXISTS samples_run ON samples (run_id);
CREATE TABLE IF NOT EXISTS warnings (
    run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    message  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS warnings_run ON warnings (run_id);
CREATE TABLE IF NOT EXISTS alerts (
    run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    timestamp REAL NOT NULL,
    metric    TEXT NOT NULL,
    level     TEXT NOT NULL,
    value     REAL,
    threshold REAL,
    message   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_run ON alerts (run_id);
CREATE TABLE IF NOT EXISTS totals (
    key   TEXT PRIMARY KEY,
    value REAL NOT NULL
);
"""


def store_path(config: Config) -> Path:
    """Where the metrics store of ``config`` lives: ``$SNAPSHOT_HOME/metrics.sqlite3``."""
    return Path(config.snapshot_home) / DB_NAME


def thin(items: Sequence[Any], limit: int) -> list[Any]:
    """At most ``limit`` items picked evenly, keeping the first and the last.

    >>> thin(list(range(10)), 4)
    [0, 3, 6, 9]
    >>> thin([1, 2], 5)
    [1, 2]
    """
    n = len(items)
    if n <= limit:
        return list(items)
    if limit <= 1:
        return list(items[-1:]) if limit == 1 else []
    step = (n - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=_TIMEOUT, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(_TIMEOUT * 1000)}")
    return conn


def _ensure_schema(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"metrics store schema {version} is newer than this version understands "
            f"({SCHEMA_VERSION})"
        )
    with contextlib.suppress(sqlite3.DatabaseError):
        # WAL lets batch workers write while the dashboard reads; some file systems
        # (network mounts) refuse it, and the default rollback journal still works.
        conn.execute("PRAGMA journal_mode = WAL")
    # One transaction: a writer racing us waits for the lock, then finds the tables there.
    # (A failed script leaves the transaction open; closing the connection rolls it back.)
    conn.executescript(
        f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _field(item: Any, name: str, default: Any = None) -> Any:
    """``item.name`` or ``item[name]``: alerts and samples come as dataclasses or dicts."""
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def record_run(
    *,
    config: Config,
    command: str,
    source_name: str,
    source_bytes: int | None,
    words: int | None,
    metrics: Mapping[str, Any],
    warnings: Iterable[str] = (),
    alerts: Iterable[Any] = (),
    samples: Iterable[Any] = (),
    status: str = "ok",
    error: str | None = None,
    started_at: float | None = None,
    seconds: float | None = None,
    model: str | None = None,
    batch_id: str | None = None,
) -> int | None:
    """Record one run in the metrics store under ``config.snapshot_home``; never raises.

    Args:
        config: supplies ``snapshot_home`` (where the store is) and ``memory_limit_mb``.
        command: what ran, e.g. ``"process"`` or ``"batch"``.
        source_name: the input's name as the user gave it (``<stdin>`` for standard input).
        source_bytes: the input's size in bytes (``None`` when unknown, e.g. a failed read).
        words: words in the transcript (``None`` when unknown).
        metrics: the run's metrics (``ProcessResult.metrics``): ``stages`` as
            ``{name: {"seconds", "peak_rss_mb"}}`` in stage order, ``peak_rss_mb``,
            ``words_per_second``; the whole mapping is also kept as JSON. ``{}`` for a run that
            failed before producing any.
        warnings: the snapshot's warnings (the first :data:`MAX_WARNINGS` are kept).
        alerts: memory alerts (:class:`~customer_snapshot.memory.monitor.MemoryAlert` or dicts
            with ``timestamp, metric, level, value, threshold, message``).
        samples: memory samples (:class:`~customer_snapshot.memory.monitor.MemorySample` or
            dicts with ``timestamp, rss_mb`` and optionally ``available_mb``); thinned evenly
            to :data:`MAX_SAMPLES`.
        status: ``"ok"`` or ``"failed"``.
        error: for a failed run, the one-line error.
        started_at: ``time.time()`` when the run started (default: now minus ``seconds``).
        seconds: the run's wall time (default: the sum of the stage seconds).
        model: the spaCy pipeline used (``snapshot.generator["model"]``), if known.
        batch_id: groups the runs of one ``batch`` invocation.

    Returns:
        The new run's id, or ``None`` when the store could not be written (logged as a warning).
    """
    try:
        return _record(
            config,
            dict(
                command=command,
                batch_id=batch_id,
                source_name=source_name,
                source_bytes=source_bytes,
                words=words,
                model=model,
                status=status,
                error=error,
            ),
            metrics,
            warnings=warnings,
            alerts=alerts,
            samples=samples,
            started_at=started_at,
            seconds=seconds,
        )
    # The run itself succeeded or failed already: losing its metrics must not change that.
    except Exception as exc:  # noqa: BLE001
        log.warning("run metrics not recorded in %s: %s", store_path(config), exc)
        return None


def _record(
    config: Config,
    run: dict[str, Any],
    metrics: Mapping[str, Any],
    *,
    warnings: Iterable[str],
    alerts: Iterable[Any],
    samples: Iterable[Any],
    started_at: float | None,
    seconds: float | None,
) -> int:
    stages_in = metrics.get("stages") or {}
    stages = [
        (str(name), _number(_field(v, "seconds")), _number(_field(v, "peak_rss_mb")))
        for name, v in (stages_in.items() if isinstance(stages_in, Mapping) else ())
    ]
    if seconds is None:
        seconds = _number(metrics.get("seconds"))
    if seconds is None:
        seconds = sum(s or 0.0 for _, s, _ in stages)
    finished = time.time()
    started = started_at if started_at is not None else finished - seconds
    wps = _number(metrics.get("words_per_second"))
    words = run["words"]
    if wps is None and words and seconds > 0:
        wps = words / seconds
    sample_rows = [
        (
            float(_field(s, "timestamp")),
            float(_field(s, "rss_mb")),
            _number(_field(s, "available_mb")),
        )
        for s in thin(list(samples), MAX_SAMPLES)
    ]
    alert_rows = [
        (
            float(_field(a, "timestamp", finished)),
            str(_field(a, "metric", "")),
            str(_field(a, "level", "")),
            _number(_field(a, "value")),
            _number(_field(a, "threshold")),
            str(_field(a, "message", "")),
        )
        for a in list(alerts)[:MAX_ALERTS]
    ]
    warning_rows = [str(w) for _, w in zip(range(MAX_WARNINGS), warnings, strict=False)]

    path = store_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = _connect(path)
    try:
        _ensure_schema(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute(
                "INSERT INTO runs (started_at, finished_at, command, batch_id, source_name,"
                " source_bytes, words, seconds, peak_rss_mb, words_per_second, memory_limit_mb,"
                " model, status, error, metrics_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    started,
                    finished,
                    run["command"],
                    run["batch_id"],
                    run["source_name"],
                    run["source_bytes"],
                    words,
                    seconds,
                    _number(metrics.get("peak_rss_mb")),
                    wps,
                    config.memory_limit_mb or None,
                    run["model"],
                    run["status"],
                    run["error"],
                    json.dumps(dict(metrics), default=str, ensure_ascii=False),
                ),
            )
            run_id = int(cur.lastrowid or 0)
            conn.executemany(
                "INSERT INTO stages (run_id, position, name, seconds, peak_rss_mb)"
                " VALUES (?, ?, ?, ?, ?)",
                [(run_id, i, *stage) for i, stage in enumerate(stages)],
            )
            conn.executemany(
                "INSERT INTO samples (run_id, timestamp, rss_mb, available_mb) VALUES (?, ?, ?, ?)",
                [(run_id, *row) for row in sample_rows],
            )
            conn.executemany(
                "INSERT INTO warnings (run_id, position, message) VALUES (?, ?, ?)",
                [(run_id, i, w) for i, w in enumerate(warning_rows)],
            )
            conn.executemany(
                "INSERT INTO alerts (run_id, timestamp, metric, level, value, threshold, message)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(run_id, *row) for row in alert_rows],
            )
            increments = {
                f"runs_{run['status']}": 1.0,
                "words": float(words or 0),
                "bytes": float(run["source_bytes"] or 0),
                "seconds": float(seconds),
                "warnings": float(len(warning_rows)),
            }
            for row in alert_rows:
                key = f"alerts_{row[2]}"
                increments[key] = increments.get(key, 0.0) + 1.0
            conn.executemany(
                "INSERT INTO totals (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                list(increments.items()),
            )
            conn.execute("DELETE FROM runs WHERE id <= ?", (run_id - MAX_RUNS,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return run_id


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """A memory alert of a stored run."""

    run_id: int
    timestamp: float
    metric: str
    level: str
    value: float | None
    threshold: float | None
    message: str


@dataclass(frozen=True, slots=True)
class SampleRecord:
    """A memory sample of a stored run."""

    timestamp: float
    rss_mb: float
    available_mb: float | None


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One stored run, with its stages and warnings (samples and alerts are loaded apart)."""

    id: int
    started_at: float
    finished_at: float
    command: str
    batch_id: str | None
    source_name: str
    source_bytes: int | None
    words: int | None
    seconds: float | None
    peak_rss_mb: float | None
    words_per_second: float | None
    memory_limit_mb: float | None
    model: str | None
    status: str
    error: str | None
    stages: dict[str, dict[str, float | None]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    alert_count: int = 0
    sample_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class MetricsStore:
    """Read access to the metrics store (an absent file reads as an empty store).

    Args:
        path: the SQLite file, usually :func:`store_path` of a config.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @classmethod
    def for_config(cls, config: Config) -> MetricsStore:
        """The store under ``config.snapshot_home``."""
        return cls(store_path(config))

    @contextlib.contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection | None]:
        if not self.path.is_file():
            yield None
            return
        conn = _connect(self.path)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            yield conn if version == SCHEMA_VERSION else None
        finally:
            conn.close()

    def runs(
        self, limit: int = 100, *, batch_id: str | None = None, status: str | None = None
    ) -> list[RunRecord]:
        """The newest ``limit`` runs, newest first (of one batch, or of one status, if given)."""
        with self._conn() as conn:
            if conn is None:
                return []
            conditions = {"batch_id": batch_id, "status": status}
            where = " AND ".join(f"{k} = ?" for k, v in conditions.items() if v is not None)
            params: list[Any] = [v for v in conditions.values() if v is not None]
            rows = conn.execute(
                f"SELECT * FROM runs {'WHERE ' + where if where else ''} ORDER BY id DESC LIMIT ?",
                [*params, limit],
            ).fetchall()
            return [self._run(conn, row) for row in rows]

    def run(self, run_id: int) -> RunRecord | None:
        """One run by id, or ``None``."""
        with self._conn() as conn:
            if conn is None:
                return None
            row = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            return None if row is None else self._run(conn, row)

    @staticmethod
    def _run(conn: sqlite3.Connection, row: sqlite3.Row) -> RunRecord:
        run_id = row["id"]
        stages = {
            s["name"]: {"seconds": s["seconds"], "peak_rss_mb": s["peak_rss_mb"]}
            for s in conn.execute(
                "SELECT name, seconds, peak_rss_mb FROM stages WHERE run_id = ? ORDER BY position",
                (run_id,),
            )
        }
        warnings = [
            w[0]
            for w in conn.execute(
                "SELECT message FROM warnings WHERE run_id = ? ORDER BY position", (run_id,)
            )
        ]
        alert_count = conn.execute(
            "SELECT COUNT(*) FROM alerts WHERE run_id = ?", (run_id,)
        ).fetchone()[0]
        sample_count = conn.execute(
            "SELECT COUNT(*) FROM samples WHERE run_id = ?", (run_id,)
        ).fetchone()[0]
        return RunRecord(
            id=run_id,
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            command=row["command"],
            batch_id=row["batch_id"],
            source_name=row["source_name"],
            source_bytes=row["source_bytes"],
            words=row["words"],
            seconds=row["seconds"],
            peak_rss_mb=row["peak_rss_mb"],
            words_per_second=row["words_per_second"],
            memory_limit_mb=row["memory_limit_mb"],
            model=row["model"],
            status=row["status"],
            error=row["error"],
            stages=stages,
            warnings=warnings,
            alert_count=int(alert_count),
            sample_count=int(sample_count),
        )

    def samples(self, run_id: int) -> list[SampleRecord]:
        """The memory samples of a run, oldest first."""
        with self._conn() as conn:
            if conn is None:
                return []
            return [
                SampleRecord(r["timestamp"], r["rss_mb"], r["available_mb"])
                for r in conn.execute(
                    "SELECT timestamp, rss_mb, available_mb FROM samples WHERE run_id = ?"
                    " ORDER BY timestamp",
                    (run_id,),
                )
            ]

    def alerts(self, limit: int = 100) -> list[AlertRecord]:
        """The newest ``limit`` alerts of all runs, newest first."""
        with self._conn() as conn:
            if conn is None:
                return []
            return [
                AlertRecord(
                    r["run_id"],
                    r["timestamp"],
                    r["metric"],
                    r["level"],
                    r["value"],
                    r["threshold"],
                    r["message"],
                )
                for r in conn.execute(
                    "SELECT * FROM alerts ORDER BY timestamp DESC LIMIT ?", (limit,)
                )
            ]

    def totals(self) -> dict[str, float]:
        """The monotonic counters: ``runs_ok``, ``runs_failed``, ``words``, ``bytes``,
        ``seconds``, ``warnings``, ``alerts_warning``, ``alerts_critical``."""
        with self._conn() as conn:
            if conn is None:
                return {}
            return {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM totals")}

    def count(self) -> int:
        """How many runs are stored."""
        with self._conn() as conn:
            if conn is None:
                return 0
            return int(conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])


# -- collecting a run's memory samples and alerts --------------------------------------------


class RunMonitor:
    """The memory samples and alerts of one run (empty when monitoring is off).

    Use :func:`monitor_run`; after the ``with`` block, :attr:`samples` and :attr:`alerts` hold
    what the monitor saw, ready for :func:`record_run`.
    """

    def __init__(self, service: Any | None, first: Sequence[Any] = ()) -> None:
        self._service = service
        self._first = list(first)
        self.samples: list[Any] = list(first)
        self.alerts: list[Any] = []

    def stop(self) -> None:
        """Stop sampling (takes a last sample first) and keep what was collected."""
        service, self._service = self._service, None
        if service is None:
            return
        with contextlib.suppress(Exception):
            service.sample_now()
        service.stop()
        self.samples = self._first + list(service.samples)
        self.alerts = list(service.alerts)


@contextlib.contextmanager
def monitor_run(
    config: Config,
    *,
    interval: float = 0.25,
    history: int = 20_000,
    prepare: Callable[[], object] | None = None,
) -> Iterator[RunMonitor]:
    """Sample memory in the background while the block runs, if ``enable_memory_monitoring``.

    A private :class:`~customer_snapshot.memory.monitor.MemoryMonitoringService` (not the
    process-wide one) samples every ``interval`` seconds and keeps the newest ``history``
    samples; alerts use the spec's thresholds against the effective limit (``MEMORY_LIMIT_MB``,
    the container's or the machine's). The monitor never fails the block: if it cannot start,
    the run goes on without samples.

    Args:
        config: ``enable_memory_monitoring`` switches it on; supplies the limit.
        interval: seconds between samples.
        history: samples kept (the store keeps at most :data:`MAX_SAMPLES` of them).
        prepare: run before the monitor starts (with monitoring on): its cost, such as
            loading the spaCy model, shows as one sample before it and is not counted as the
            run's memory *growth*, which the monitor measures from its start.
    """
    service = None
    first: list[Any] = []
    if config.enable_memory_monitoring:
        from customer_snapshot.memory.monitor import MemoryMonitoringService

        try:
            if prepare is not None:
                first.append(_reading())
                prepare()
            # Its growth baseline is its first sample: taken now, after ``prepare``.
            service = MemoryMonitoringService(config, interval=interval, history=history)
            service.start()
        except (OSError, ValueError) as exc:  # psutil or /proc unreadable: no samples, go on
            log.warning("memory monitor not started: %s", exc)
            service = None
    monitor = RunMonitor(service, first)
    try:
        yield monitor
    finally:
        monitor.stop()


def _reading() -> Any:
    """One memory sample, without the alert checks a service would run on it."""
    from customer_snapshot.memory import rss
    from customer_snapshot.memory.monitor import MemorySample

    resident, virtual = rss.process_memory()
    available = rss.effective_available_bytes() / rss.MB
    percent = rss.system_memory()[2]
    return MemorySample(time.time(), resident / rss.MB, virtual / rss.MB, available, percent)


def _warm_model(config: Config) -> Callable[[], object]:
    def load() -> object:
        from customer_snapshot.nlp.model import load_model

        return load_model(config.spacy_model)

    return load


class RecordedRun:
    """What :func:`recorded_run` yields: set :attr:`result` to the run's ``ProcessResult``."""

    def __init__(self) -> None:
        self.result: Any = None
        self.run_id: int | None = None
        self.monitor: RunMonitor | None = None


@contextlib.contextmanager
def recorded_run(
    config: Config,
    *,
    command: str,
    source_name: str,
    source_path: str | os.PathLike[str] | None = None,
    batch_id: str | None = None,
) -> Iterator[RecordedRun]:
    """Monitor memory while the block processes one file, then record the run in the store.

    Inside the block, set ``run.result`` to the
    :class:`~customer_snapshot.pipeline.ProcessResult`; its snapshot's source, warnings and
    model and its metrics are recorded with the monitor's samples and alerts. When the block
    raises, the run is recorded as ``failed`` with the error's message and the error goes on.
    With monitoring on, the spaCy model is loaded before the monitor starts (see
    :func:`monitor_run`'s ``prepare``).

    Args:
        config: the run's settings (store location, limit, monitoring switch, model).
        command: ``"process"`` or ``"batch"``.
        source_name: the input's name as the user gave it.
        source_path: the input file, to size it when the run fails before reading it.
        batch_id: groups the runs of one batch.
    """
    run = RecordedRun()
    started = time.time()
    t0 = time.perf_counter()
    error: BaseException | None = None
    try:
        # A missing file, or one that is not a transcript, fails at once: loading the model
        # for it would only delay the error by a second.
        from customer_snapshot.pipeline import has_a_cue

        doomed = source_path is not None and not has_a_cue(source_path, config)
        prepare = None if doomed else _warm_model(config)
        with monitor_run(config, prepare=prepare) as monitor:
            run.monitor = monitor
            yield run
    except Exception as exc:
        error = exc
        raise
    finally:
        seconds = time.perf_counter() - t0
        if error is not None or run.result is not None:
            run.run_id = _record_outcome(
                config, run, error, command=command, source_name=source_name,
                source_path=source_path, batch_id=batch_id, started=started, seconds=seconds,
            )  # fmt: skip


def _record_outcome(
    config: Config,
    run: RecordedRun,
    error: BaseException | None,
    *,
    command: str,
    source_name: str,
    source_path: str | os.PathLike[str] | None,
    batch_id: str | None,
    started: float,
    seconds: float,
) -> int | None:
    monitor = run.monitor
    samples = monitor.samples if monitor else []
    alerts = monitor.alerts if monitor else []
    if error is not None:
        size: int | None = None
        if source_path is not None:
            with contextlib.suppress(OSError):
                size = os.path.getsize(source_path)
        from customer_snapshot.memory.rss import peak_rss_mb

        return record_run(
            config=config, command=command, source_name=source_name, source_bytes=size,
            words=None, metrics={"peak_rss_mb": round(peak_rss_mb(), 1)}, alerts=alerts,
            samples=samples, status="failed", error=str(error) or type(error).__name__,
            started_at=started, seconds=seconds, batch_id=batch_id,
        )  # fmt: skip
    result = run.result
    source = result.snapshot.source
    return record_run(
        config=config,
        command=command,
        source_name=source_name,
        source_bytes=source.get("bytes"),
        words=source.get("words"),
        metrics=result.metrics,
        warnings=result.snapshot.warnings,
        alerts=alerts,
        samples=samples,
        started_at=started,
        seconds=seconds,
        model=result.snapshot.generator.get("model"),
        batch_id=batch_id,
    )
