"""Background memory monitoring: a daemon thread that samples memory and raises alerts.

The spec's default alert thresholds:

================  =========  ==========
metric            warning    critical
================  =========  ==========
memory usage      > 80 %     > 90 %     RSS as a share of the limit (see below)
memory growth     > 100 MB   > 500 MB   RSS now minus RSS when monitoring started
system available  < 500 MB   < 200 MB   memory the process can still get
================  =========  ==========

The limit is the smallest of ``MEMORY_LIMIT_MB`` (when set), the container's cgroup limit and
the machine's RAM; "system available" is also container-aware. An alert is logged (WARNING or
CRITICAL) and handed to the alert callbacks when a metric *changes* level, not at every
sample, so a process sitting at 85 % for an hour logs once.

Example (the memory spec's)::

    service = start_memory_monitoring(config, interval=30)
    ...
    stop_memory_monitoring()
    status = get_memory_status()
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import psutil

from customer_snapshot.config import Config
from customer_snapshot.memory.rss import (
    MB,
    effective_available_bytes,
    effective_limit_mb,
    peak_rss_bytes,
    peak_rss_bytes_of,
    process_memory,
    system_memory,
)

__all__ = [
    "AlertThresholds",
    "MemoryAlert",
    "MemoryMonitoringService",
    "MemorySample",
    "get_memory_status",
    "get_monitoring_service",
    "start_memory_monitoring",
    "stop_memory_monitoring",
]

log = logging.getLogger(__name__)

WARNING = "warning"
CRITICAL = "critical"
_LEVEL_RANK = {None: 0, WARNING: 1, CRITICAL: 2}


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """When the monitor raises alerts (defaults: the memory spec's table).

    Attributes:
        usage_warning: RSS / limit above which a warning is raised.
        usage_critical: RSS / limit above which the alert is critical.
        growth_warning_mb: RSS growth since monitoring started that warns, MB.
        growth_critical_mb: growth that is critical, MB.
        available_warning_mb: available memory below which a warning is raised, MB.
        available_critical_mb: available memory below which the alert is critical, MB.
    """

    usage_warning: float = 0.80
    usage_critical: float = 0.90
    growth_warning_mb: float = 100.0
    growth_critical_mb: float = 500.0
    available_warning_mb: float = 500.0
    available_critical_mb: float = 200.0


@dataclass(frozen=True, slots=True)
class MemorySample:
    """One reading of the monitor.

    Attributes:
        timestamp: ``time.time()``.
        rss_mb: the process's resident memory, MB.
        vms_mb: its virtual memory, MB.
        available_mb: memory the process can still get (container-aware), MB.
        system_percent: the machine's memory in use, percent.
    """

    timestamp: float
    rss_mb: float
    vms_mb: float
    available_mb: float
    system_percent: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class MemoryAlert:
    """A metric over (or under) a threshold.

    Attributes:
        metric: ``"usage"``, ``"growth"`` or ``"system_available"``.
        level: ``"warning"`` or ``"critical"``.
        value: the measured value (a ratio for usage, MB for the others).
        threshold: the threshold it crossed.
        message: one line for a person.
        timestamp: ``time.time()`` of the sample.
    """

    metric: str
    level: str
    value: float
    threshold: float
    message: str
    timestamp: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


AlertCallback = Callable[[MemoryAlert], object]


class _Check(NamedTuple):
    """One metric measured against its thresholds (``level`` is ``None`` when normal)."""

    metric: str
    level: str | None
    value: float
    threshold: float
    message: str


def _take_sample(process: psutil.Process | None = None) -> MemorySample:
    if process is None:
        rss, vms = process_memory()
    else:
        info = process.memory_info()
        rss, vms = int(info.rss), int(info.vms)
    _, _, percent = system_memory()
    return MemorySample(
        timestamp=time.time(),
        rss_mb=rss / MB,
        vms_mb=vms / MB,
        available_mb=effective_available_bytes() / MB,
        system_percent=percent,
    )


class MemoryMonitoringService:
    """Samples memory in a daemon thread, keeps a bounded history and raises alerts.

    Args:
        config: supplies ``memory_limit_mb`` (0 = none configured); default ``Config()``.
        interval: seconds between samples.
        history: how many samples are kept (oldest dropped first).
        thresholds: alert thresholds (default: the spec's).
        limit_mb: the limit usage is measured against; default: the smallest of the
            configured limit, the container limit and physical RAM.
        pid: watch another process (``customer-snapshot memory monitor --pid``) instead of
            this one; available memory is still this process's (the same machine or
            container). When that process ends, sampling stops.

    Raises:
        psutil.NoSuchProcess: no process has ``pid``.
    """

    def __init__(
        self,
        config: Config | None = None,
        *,
        interval: float = 30.0,
        history: int = 1000,
        thresholds: AlertThresholds | None = None,
        limit_mb: float | None = None,
        pid: int | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        if config is None:
            config = Config()
        self.config = config
        self.interval = float(interval)
        self.thresholds = thresholds or AlertThresholds()
        if limit_mb is not None and limit_mb > 0:
            self.limit_mb, self.limit_source = float(limit_mb), "argument"
        else:
            info = effective_limit_mb(config.memory_limit_mb)
            self.limit_mb, self.limit_source = info.limit_mb, info.source
        self._lock = threading.Lock()
        self._samples: deque[MemorySample] = deque(maxlen=max(1, history))
        self._alerts: deque[MemoryAlert] = deque(maxlen=max(1, history))
        self._active: dict[str, MemoryAlert] = {}
        self._callbacks: list[AlertCallback] = []
        self._start: MemorySample | None = None
        self._peak_mb = 0.0
        self._sample_count = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._started_at: float | None = None
        self.pid = pid
        self._process = psutil.Process(pid) if pid is not None else None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        """Whether the sampling thread is alive."""
        t = self._thread
        return t is not None and t.is_alive()

    def start(self) -> MemoryMonitoringService:
        """Take a first sample (the growth baseline) and start the sampling thread.

        Starting a running service does nothing. Returns the service.
        """
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return self
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._stop,), name="memory-monitor", daemon=True
            )
            self._started_at = time.time()
        self.sample_now()
        self._thread.start()
        log.info(
            "memory monitoring started: every %.1f s, limit %.0f MB (%s)",
            self.interval,
            self.limit_mb,
            self.limit_source,
        )
        return self

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop the sampling thread and wait for it (up to ``timeout`` seconds)."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            log.info("memory monitoring stopped after %d samples", self._sample_count)

    def __enter__(self) -> MemoryMonitoringService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval):
            try:
                self.sample_now()
            except psutil.NoSuchProcess:
                log.info("memory monitor: process %s has ended", self.pid)
                return
            except Exception:  # the monitor must outlive a failed sample
                log.exception("memory monitor: sampling failed")

    # -- callbacks ---------------------------------------------------------------------------

    def add_alert_callback(self, callback: AlertCallback) -> None:
        """Call ``callback(alert)`` whenever a metric enters a warning or critical level."""
        with self._lock:
            self._callbacks.append(callback)

    def remove_alert_callback(self, callback: AlertCallback) -> None:
        """Stop calling ``callback``; unknown callbacks are ignored."""
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    # -- sampling ----------------------------------------------------------------------------

    def sample_now(self) -> MemorySample:
        """Take a sample now (also used by the thread), record it and check the thresholds."""
        return self.record(_take_sample(self._process))

    def record(self, sample: MemorySample) -> MemorySample:
        """Record ``sample`` and check the thresholds against it (tests feed samples here)."""
        with self._lock:
            if self._start is None:
                self._start = sample
            self._samples.append(sample)
            self._sample_count += 1
            self._peak_mb = max(self._peak_mb, sample.rss_mb)
            start = self._start
        for check in self._evaluate(sample, start):
            self._transition(check, sample.timestamp)
        return sample

    def _evaluate(self, sample: MemorySample, start: MemorySample) -> list[_Check]:
        t = self.thresholds
        out: list[_Check] = []

        ratio = sample.rss_mb / self.limit_mb if self.limit_mb > 0 else 0.0
        level, threshold = _above(ratio, t.usage_warning, t.usage_critical)
        out.append(
            _Check(
                "usage",
                level,
                ratio,
                threshold,
                f"memory usage {sample.rss_mb:.0f} MB is {ratio:.0%} of the "
                f"{self.limit_mb:.0f} MB limit ({self.limit_source})",
            )
        )

        growth = sample.rss_mb - start.rss_mb
        level, threshold = _above(growth, t.growth_warning_mb, t.growth_critical_mb)
        out.append(
            _Check(
                "growth",
                level,
                growth,
                threshold,
                f"memory grew by {growth:.0f} MB since monitoring started "
                f"({start.rss_mb:.0f} MB -> {sample.rss_mb:.0f} MB)",
            )
        )

        avail = sample.available_mb
        if avail < t.available_critical_mb:
            level, threshold = CRITICAL, t.available_critical_mb
        elif avail < t.available_warning_mb:
            level, threshold = WARNING, t.available_warning_mb
        else:
            level, threshold = None, t.available_warning_mb
        out.append(
            _Check(
                "system_available",
                level,
                avail,
                threshold,
                f"only {avail:.0f} MB of memory available to this process",
            )
        )
        return out

    def _transition(self, check: _Check, timestamp: float) -> None:
        metric, level, value, threshold, message = check
        with self._lock:
            previous = self._active.get(metric)
            if level is None:
                if previous is not None:
                    del self._active[metric]
                    log.info("memory %s back to normal: %s", metric, message)
                return
            if previous is not None and previous.level == level:
                # Same level as before: refresh the value, do not repeat the alert.
                self._active[metric] = MemoryAlert(
                    metric, level, value, threshold, previous.message, previous.timestamp
                )
                return
            alert = MemoryAlert(metric, level, value, threshold, message, timestamp)
            self._active[metric] = alert
            self._alerts.append(alert)
            callbacks = list(self._callbacks)
        log.log(logging.CRITICAL if level == CRITICAL else logging.WARNING, "%s", message)
        for callback in callbacks:
            try:
                callback(alert)
            except Exception:  # one broken callback must not stop the others
                log.exception("memory alert callback %r failed", callback)

    # -- reading -----------------------------------------------------------------------------

    @property
    def samples(self) -> list[MemorySample]:
        """The kept samples, oldest first (a copy)."""
        with self._lock:
            return list(self._samples)

    @property
    def sample_count(self) -> int:
        """Samples taken since the service was made (including ones dropped from history)."""
        return self._sample_count

    @property
    def alerts(self) -> list[MemoryAlert]:
        """Alerts raised so far (bounded history), oldest first."""
        with self._lock:
            return list(self._alerts)

    @property
    def active_alerts(self) -> list[MemoryAlert]:
        """Metrics that are at warning or critical level now."""
        with self._lock:
            return list(self._active.values())

    def trend_mb_per_minute(self) -> float:
        """Least-squares slope of RSS over the kept samples, MB per minute (0 with < 2)."""
        samples = self.samples
        if len(samples) < 2:
            return 0.0
        t0 = samples[0].timestamp
        xs = [s.timestamp - t0 for s in samples]
        ys = [s.rss_mb for s in samples]
        mx = sum(xs) / len(xs)
        my = sum(ys) / len(ys)
        var = sum((x - mx) ** 2 for x in xs)
        if var == 0:
            return 0.0
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var
        return slope * 60.0

    def get_status(self) -> dict[str, Any]:
        """The current memory status (see :func:`get_memory_status`), from a fresh sample."""
        now = _take_sample(self._process)
        with self._lock:
            start = self._start
            peak = max(self._peak_mb, now.rss_mb)
            count = self._sample_count
            active = [a.to_dict() for a in self._active.values()]
            recent = [a.to_dict() for a in list(self._alerts)[-20:]]
        status = _status(now, self.limit_mb, self.limit_source, peak, self.is_running)
        status.update(
            {
                "alerts": active,
                "recent_alerts": recent,
                "growth_mb": round(now.rss_mb - start.rss_mb, 2) if start else 0.0,
                "interval": self.interval,
                "samples": count,
                "started_at": self._started_at,
                "trend_mb_per_min": round(self.trend_mb_per_minute(), 3),
                "pid": self.pid if self.pid is not None else os.getpid(),
            }
        )
        if self.pid is not None:  # the kernel's high-water mark of *that* process
            hwm = peak_rss_bytes_of(self.pid)
            status["process_peak_mb"] = round(hwm / MB, 2) if hwm else status["peak_mb"]
        return status


def _above(value: float, warning: float, critical: float) -> tuple[str | None, float]:
    if value > critical:
        return CRITICAL, critical
    if value > warning:
        return WARNING, warning
    return None, warning


def _status(
    now: MemorySample, limit_mb: float, source: str, peak_mb: float, monitoring: bool
) -> dict[str, Any]:
    return {
        "timestamp": now.timestamp,
        "current_mb": round(now.rss_mb, 2),
        "vms_mb": round(now.vms_mb, 2),
        "peak_mb": round(max(peak_mb, now.rss_mb), 2),
        "process_peak_mb": round(peak_rss_bytes() / MB, 2),
        "available_mb": round(now.available_mb, 2),
        "system_percent": now.system_percent,
        "limit_mb": round(limit_mb, 2),
        "limit_source": source,
        "usage_ratio": round(now.rss_mb / limit_mb, 4) if limit_mb > 0 else 0.0,
        "monitoring": monitoring,
    }


# -- the process-wide service ---------------------------------------------------------------

_service_lock = threading.Lock()
_service: MemoryMonitoringService | None = None


def start_memory_monitoring(
    config: Config | None = None, interval: float = 30.0, **options: Any
) -> MemoryMonitoringService:
    """Start the process-wide monitoring service (replacing a running one).

    Starts even when ``config.enable_memory_monitoring`` is false: calling this is the
    request. Callers that honour the setting check it first.

    Args:
        config: supplies the memory limit; default ``Config()``.
        interval: seconds between samples.
        **options: passed to :class:`MemoryMonitoringService` (``history``, ``thresholds``,
            ``limit_mb``).

    Returns:
        The running service (for ``add_alert_callback`` and ``get_status``).
    """
    global _service
    service = MemoryMonitoringService(config, interval=interval, **options)
    with _service_lock:
        old, _service = _service, service
    if old is not None:
        old.stop()
    return service.start()


def stop_memory_monitoring() -> MemoryMonitoringService | None:
    """Stop the process-wide monitoring service, if one runs; returns it (or ``None``)."""
    global _service
    with _service_lock:
        service, _service = _service, None
    if service is not None:
        service.stop()
    return service


def get_monitoring_service() -> MemoryMonitoringService | None:
    """The process-wide service started by :func:`start_memory_monitoring`, if any."""
    return _service


def get_memory_status(config: Config | None = None) -> dict[str, Any]:
    """The process's memory status, ready to send to a monitoring system.

    From the running service when there is one, else from a one-off reading.

    Args:
        config: supplies the configured limit when no service runs (default ``Config()``).

    Returns:
        A JSON-ready dict with at least ``current_mb``, ``peak_mb`` (the kernel's
        high-water mark when no service runs), ``available_mb``, ``system_percent``,
        ``limit_mb``, ``limit_source``, ``usage_ratio``, ``monitoring`` (bool) and ``alerts``
        (active alerts as dicts).
    """
    service = _service
    if service is not None and service.is_running:
        return service.get_status()
    if config is None:
        config = Config()
    info = effective_limit_mb(config.memory_limit_mb)
    now = _take_sample()
    status = _status(now, info.limit_mb, info.source, peak_rss_bytes() / MB, False)
    status["alerts"] = []
    return status
