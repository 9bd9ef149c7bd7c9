"""``@memory_profile`` and ``@memory_limit``: per-call memory reports and a real RSS limit.

``memory_profile`` logs what a call did to resident memory (before, after, delta, peak,
seconds), never printing to stdout; with ``ENABLE_MEMORY_PROFILING=true`` it also logs a
line-by-line profile made by memory-profiler's ``LineProfiler``.

``memory_limit`` enforces a limit while the call runs rather than checking afterwards: a
watchdog thread samples RSS every few milliseconds and, once RSS passes the limit, raises
:class:`~customer_snapshot.errors.MemoryLimitExceeded` *inside* the guarded call, in the
calling thread, through CPython's ``PyThreadState_SetAsyncExc``. The call unwinds like on any
exception (``finally`` blocks and ``with`` exits run, references are dropped), and the process
carries on. An ``RLIMIT_AS``-style hard limit would instead make every later allocation fail.

How the limit works, and its limits:

* RSS is also checked when the call starts (already above the limit: the call does not run)
  and when it ends (a call too short for the watchdog to sample still ends above its limit),
  so the limit holds for calls of any length.
* One watchdog thread per guarded thread, however deeply limits nest; it exits when the
  outermost guarded call returns (or once every active limit has fired).
* The exception is delivered when the guarded thread next runs Python bytecode, so a single C
  call (one huge ``bytes`` multiplication, a regex over a huge string) finishes first; the
  overshoot is what the program allocates between two samples plus that last C call.
* Inside the call the exception is an instance of a private subclass of
  ``MemoryLimitExceeded`` (so ``except MemoryError`` inside the function works); what leaves
  the guarded call is a plain ``MemoryLimitExceeded`` carrying the limit, the RSS observed and
  the name of the guarded function.
* A limit fires once per call. If the function catches the error and carries on, that limit
  does not fire again (an enclosing limit still can).
* CPython only. Like ``KeyboardInterrupt``, the exception can arrive in the middle of any
  pure-Python code, including library code; code that must not be interrupted between two
  statements should not run under a limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import inspect
import io
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

import psutil

from customer_snapshot.config import Config
from customer_snapshot.errors import MemoryLimitExceeded
from customer_snapshot.memory.rss import MB, peak_rss_bytes, rss_bytes

if TYPE_CHECKING:
    from customer_snapshot.memory.tracker import MemoryTracker

__all__ = [
    "MemoryLimit",
    "MemoryUsage",
    "iter_guarded",
    "memory_limit",
    "memory_profile",
    "profile_block",
]

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_LIMIT_INTERVAL = 0.005  # seconds between RSS samples of the memory_limit watchdog
DEFAULT_PROFILE_INTERVAL = 0.01  # seconds between RSS samples while a profiled call runs


# ---------------------------------------------------------------------------------------------
# Raising an exception in another thread
# ---------------------------------------------------------------------------------------------

# Own prototypes instead of setting argtypes on ctypes.pythonapi.PyThreadState_SetAsyncExc,
# which is one object shared with any other library that uses it.
_set_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)
_clear_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)


class _Scope:
    """One active ``memory_limit``: a guarded call or ``with`` block in one thread."""

    __slots__ = (
        "delivered",
        "fired",
        "interval",
        "limit_bytes",
        "limit_mb",
        "observed_mb",
        "where",
    )

    def __init__(self, limit_mb: float, interval: float, where: str | None) -> None:
        self.limit_mb = float(limit_mb)
        self.limit_bytes = int(limit_mb * MB)
        self.interval = interval
        self.where = where
        self.fired = False  # the watchdog raised (or tried to raise) for this scope
        self.delivered = False  # ... and the exception reached the guarded thread
        self.observed_mb = 0.0


class _Guard:
    """The limit scopes of one thread and the watchdog thread that enforces them."""

    __slots__ = ("in_flight", "lock", "scopes", "stop", "thread", "thread_id", "watching")

    def __init__(self, thread_id: int) -> None:
        self.thread_id = thread_id
        self.lock = threading.Lock()
        self.scopes: list[_Scope] = []  # outermost first
        self.in_flight: _Scope | None = None  # the scope whose exception is on its way
        self.thread: threading.Thread | None = None  # the latest watchdog (maybe ended)
        self.watching = False  # whether that watchdog is still enforcing
        self.stop = threading.Event()

    def armed(self) -> bool:
        return any(not s.fired for s in self.scopes)


# thread id -> guard. Only the thread itself adds or removes its entry.
_guards: dict[int, _Guard] = {}


def _reset_after_fork() -> None:
    # The watchdog threads do not exist in a forked child, and their locks may be held.
    _guards.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


class _AsyncMemoryLimitExceeded(MemoryLimitExceeded):
    """What the watchdog raises inside the guarded call.

    ``PyThreadState_SetAsyncExc`` takes a class and CPython instantiates it without
    arguments in the guarded thread, so the values come from that thread's in-flight scope.
    Instantiation also tells the bookkeeping that the exception did arrive.
    """

    def __init__(self, *args: Any) -> None:
        if args:
            super().__init__(*args)
            return
        guard = _guards.get(threading.get_ident())
        scope = guard.in_flight if guard is not None else None
        if scope is None:  # pragma: no cover - only when made by hand
            super().__init__(0.0, 0.0, None)
            return
        scope.delivered = True
        super().__init__(scope.limit_mb, scope.observed_mb, scope.where)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles (e.g. back from a worker process) as the public class.
        return (MemoryLimitExceeded, (self.limit_mb, self.observed_mb, self.where))


def _watch(guard: _Guard, stop: threading.Event, interval: float) -> None:
    """The watchdog loop: sample RSS, raise in the guarded thread when a limit is passed."""
    while not stop.wait(interval):
        try:
            rss = rss_bytes()
        except Exception:  # a failed sample must not kill the watchdog
            log.debug("memory_limit: could not read RSS", exc_info=True)
            continue
        with guard.lock:
            if stop.is_set():
                return
            if not guard.armed():
                # Every limit has fired: nothing left to enforce. (Normally the guarded
                # thread stops us first; this covers a scope left without bookkeeping.)
                guard.watching = False
                return
            interval = min(s.interval for s in guard.scopes)
            pending = guard.in_flight
            if pending is not None and not pending.delivered:
                continue  # one exception at a time
            target = None
            for scope in reversed(guard.scopes):  # innermost first: it is running now
                if not scope.fired and rss > scope.limit_bytes:
                    target = scope
                    break
            if target is None:
                continue
            target.fired = True
            target.observed_mb = rss / MB
            guard.in_flight = target
            _set_async_exc(guard.thread_id, _AsyncMemoryLimitExceeded)


def _enter(scope: _Scope) -> None:
    """Push ``scope`` on this thread's guard and make sure a watchdog runs.

    Raises:
        MemoryLimitExceeded: RSS is already above the limit (the call does not start).
    """
    rss = rss_bytes()
    if rss > scope.limit_bytes:
        raise MemoryLimitExceeded(scope.limit_mb, rss / MB, scope.where)
    tid = threading.get_ident()
    guard = _guards.get(tid)
    if guard is None:
        guard = _guards[tid] = _Guard(tid)
    start: threading.Thread | None = None
    ended: threading.Thread | None = None
    with guard.lock:
        # Scopes whose exception already arrived cannot fire again; one may still be here
        # when the exception was raised at the very start of the exit code (see _leave).
        guard.scopes = [s for s in guard.scopes if not s.delivered]
        guard.scopes.append(scope)
        if not guard.watching:
            ended = guard.thread
            guard.stop = threading.Event()
            start = guard.thread = threading.Thread(
                target=_watch,
                args=(guard, guard.stop, scope.interval),
                name=f"memory-limit-watchdog-{tid}",
                daemon=True,
            )
            guard.watching = True
    if ended is not None and ended.ident is not None:
        ended.join()  # it has decided to end: this is quick
    if start is not None:
        start.start()


def _late(scope: _Scope) -> float | None:
    """RSS (MB) to report when leaving ``scope`` must raise, else ``None``.

    That is when the limit fired but the exception never reached the call (it returned
    first), or when the limit did not fire but RSS is above it now: a call too short for the
    watchdog to sample still ends above its limit.
    """
    if scope.fired:
        return None if scope.delivered else scope.observed_mb
    rss = rss_bytes()
    return rss / MB if rss > scope.limit_bytes else None


def _leave(scope: _Scope) -> float | None:
    """Pop ``scope`` (and anything left above it); stop the watchdog when none is armed.

    Returns:
        The RSS in MB to raise :class:`MemoryLimitExceeded` with (see :func:`_late`) when the
        call completed normally, else ``None``.
    """
    tid = threading.get_ident()
    guard = _guards.get(tid)
    if guard is None:
        return _late(scope)
    join: threading.Thread | None = None
    with guard.lock:
        for i, s in enumerate(guard.scopes):
            if s is scope:
                removed = guard.scopes[i:]
                del guard.scopes[i:]
                break
        else:
            removed = []
        inflight = guard.in_flight
        if inflight is not None and not inflight.delivered and any(s is inflight for s in removed):
            _clear_async_exc(tid, None)
            guard.in_flight = None
        if not guard.armed():
            guard.stop.set()
            guard.watching = False
            join, guard.thread = guard.thread, None
        if not guard.scopes:
            _guards.pop(tid, None)
    if join is not None and join.ident is not None and join is not threading.current_thread():
        join.join()
    return _late(scope)


def _public(exc: MemoryLimitExceeded) -> MemoryLimitExceeded:
    return MemoryLimitExceeded(exc.limit_mb, exc.observed_mb, exc.where)


class MemoryLimit:
    """A resident-memory limit, usable as a decorator or as a context manager.

    Made by :func:`memory_limit`; see the module docstring for how it works. One object may
    guard many calls, in many threads, nested or recursive.
    """

    def __init__(
        self, limit_mb: float | None, *, interval: float = DEFAULT_LIMIT_INTERVAL, where: str | None
    ) -> None:
        if limit_mb is not None and limit_mb < 0:
            raise ValueError("limit_mb must not be negative")
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.limit_mb = float(limit_mb) if limit_mb else None
        self.interval = interval
        self.where = where
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"memory_limit({self.limit_mb!r}, interval={self.interval!r})"

    # -- decorator ---------------------------------------------------------------------------

    def __call__(self, func: Callable[P, R]) -> Callable[P, R]:
        """Guard every call of ``func``."""
        if inspect.isgeneratorfunction(func) or inspect.iscoroutinefunction(func):
            raise TypeError(
                "memory_limit cannot decorate a generator or coroutine function (the limit "
                "would end when it returns its iterator); use `with memory_limit(mb):` "
                "around the code that consumes it"
            )
        limit_mb = self.limit_mb
        interval = self.interval
        where = self.where or getattr(func, "__qualname__", None) or repr(func)

        @functools.wraps(func)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            if limit_mb is None:
                return func(*args, **kwargs)
            scope = _Scope(limit_mb, interval, where)
            try:
                try:
                    _enter(scope)
                    result = func(*args, **kwargs)
                finally:
                    late_mb = _leave(scope)
            except _AsyncMemoryLimitExceeded as exc:
                # The exception may also arrive in the finally above, before _leave ran.
                _leave(scope)
                log.info("%s", exc)
                raise _public(exc).with_traceback(exc.__traceback__) from None
            if late_mb is not None:
                late = MemoryLimitExceeded(scope.limit_mb, late_mb, scope.where)
                log.info("%s", late)
                raise late
            return result

        return guarded

    # -- context manager ---------------------------------------------------------------------

    def _stack(self) -> list[_Scope]:
        stack: list[_Scope] | None = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def __enter__(self) -> MemoryLimit:
        if self.limit_mb is None:
            self._stack().append(_Scope(0.0, self.interval, self.where))
            return self
        scope = _Scope(self.limit_mb, self.interval, self.where or "memory_limit block")
        self._stack().append(scope)
        try:
            _enter(scope)
        except BaseException as exc:  # already above the limit, or an enclosing one fired
            self._stack().pop()
            _leave(scope)
            if isinstance(exc, _AsyncMemoryLimitExceeded):
                raise _public(exc) from None
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        scope = self._stack().pop()
        if self.limit_mb is None:
            return
        try:
            late_mb = _leave(scope)
        except _AsyncMemoryLimitExceeded as late:  # arrived while leaving
            _leave(scope)
            log.info("%s", late)
            raise _public(late).with_traceback(tb) from None
        if isinstance(exc, _AsyncMemoryLimitExceeded):
            log.info("%s", exc)
            raise _public(exc).with_traceback(tb) from None
        if late_mb is not None and exc is None:
            public = MemoryLimitExceeded(scope.limit_mb, late_mb, scope.where)
            log.info("%s", public)
            raise public


def memory_limit(
    limit_mb: float | None, *, interval: float = DEFAULT_LIMIT_INTERVAL, where: str | None = None
) -> MemoryLimit:
    """Limit the process's resident memory while a function (or ``with`` block) runs.

    As a decorator::

        @memory_limit(500)  # 500 MB
        def memory_limited_function():
            return process_large_data()  # raises MemoryLimitExceeded (a MemoryError) past 500 MB

    or as a context manager: ``with memory_limit(500): ...``.

    The limit is on the whole process's RSS (what the kernel and a container count), not on
    what the function itself allocated.

    Args:
        limit_mb: the limit in MB; ``None`` or ``0`` means no limit (calls pass straight
            through), so ``MEMORY_LIMIT_MB=0`` can be handed over as is.
        interval: seconds between RSS samples of the watchdog.
        where: the name used in the error (default: the function's qualified name).

    Raises:
        ValueError: for a negative limit or a non-positive interval.
        TypeError: (when decorating) for a generator or coroutine function.
        MemoryLimitExceeded: (from the guarded call) RSS was above the limit when the call
            started, passed it while the call ran, or was above it when the call ended.
    """
    return MemoryLimit(limit_mb, interval=interval, where=where)


# ---------------------------------------------------------------------------------------------
# Profiling
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class MemoryUsage:
    """What one profiled call or block did to resident memory.

    Attributes:
        label: the function's qualified name or the block's label.
        rss_before_mb: RSS when it started, MB.
        rss_after_mb: RSS when it ended, MB.
        peak_mb: highest RSS seen while it ran, MB: the kernel's high-water mark when the
            call set a new process peak (exact), otherwise the highest of the RSS samples and
            the start and end values (a short spike between samples can be missed).
        seconds: wall-clock duration.
        error: the exception's class name when it raised, else ``None``.
    """

    label: str
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    peak_mb: float = 0.0
    seconds: float = 0.0
    error: str | None = None

    @property
    def delta_mb(self) -> float:
        """RSS after minus RSS before, MB (negative when the call freed memory)."""
        return self.rss_after_mb - self.rss_before_mb

    @property
    def peak_increase_mb(self) -> float:
        """How far the peak rose above RSS at the start, MB."""
        return max(0.0, self.peak_mb - self.rss_before_mb)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, with ``delta_mb``."""
        d = asdict(self)
        d["delta_mb"] = self.delta_mb
        return d


class _PeakSampler:
    """A thread that samples RSS until stopped and keeps the highest value."""

    def __init__(self, interval: float) -> None:
        self.peak = 0
        self._stop = threading.Event()
        # The thread holds only a weak reference: if the owner is dropped without stop()
        # (an asynchronous exception in the wrong place), the thread ends by itself.
        self._thread = threading.Thread(
            target=_PeakSampler._run,
            args=(weakref.ref(self), self._stop, interval),
            name="memory-profile-sampler",
            daemon=True,
        )
        self._thread.start()

    @staticmethod
    def _run(ref: weakref.ref[_PeakSampler], stop: threading.Event, interval: float) -> None:
        while not stop.wait(interval):
            owner = ref()
            if owner is None:
                return
            with contextlib.suppress(psutil.Error, OSError):  # one lost sample
                owner.peak = max(owner.peak, rss_bytes())
            del owner

    def stop(self) -> int:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
        return self.peak


class profile_block:
    """Measure a block's memory and time, log it, and record it into a tracker.

    ``with profile_block("analyze", tracker=t) as usage: ...`` fills ``usage``
    (a :class:`MemoryUsage`) when the block ends.

    Args:
        label: what to call the block in the log and in the tracker's snapshots.
        tracker: a :class:`MemoryTracker` that gets ``"<label> start"`` and
            ``"<label> end"`` snapshots.
        logger: where to log (default: this module's logger).
        level: the logging level of the summary line.
        sample_interval: seconds between RSS samples while the block runs (a thread), or
            ``None`` to rely on the start, end and high-water-mark values only.
        on_result: called with the :class:`MemoryUsage` when the block ends (metrics).
    """

    def __init__(
        self,
        label: str,
        *,
        tracker: MemoryTracker | None = None,
        logger: logging.Logger | None = None,
        level: int = logging.INFO,
        sample_interval: float | None = DEFAULT_PROFILE_INTERVAL,
        on_result: Callable[[MemoryUsage], None] | None = None,
    ) -> None:
        self.usage = MemoryUsage(label)
        self._tracker = tracker
        self._logger = logger or log
        self._level = level
        self._interval = sample_interval
        self._on_result = on_result
        self._sampler: _PeakSampler | None = None
        self._hwm_before = 0
        self._t0 = 0.0

    def __enter__(self) -> MemoryUsage:
        if self._tracker is not None:
            self._tracker.take_snapshot(f"{self.usage.label} start")
        self._hwm_before = peak_rss_bytes()
        before = rss_bytes()
        self.usage.rss_before_mb = before / MB
        if self._interval:
            self._sampler = _PeakSampler(self._interval)
        self._t0 = time.perf_counter()
        return self.usage

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        seconds = time.perf_counter() - self._t0
        sampled = self._sampler.stop() if self._sampler is not None else 0
        self._sampler = None
        after = rss_bytes()
        hwm_after = peak_rss_bytes()
        u = self.usage
        u.seconds = seconds
        u.rss_after_mb = after / MB
        if hwm_after > self._hwm_before:
            peak = hwm_after  # this block set a new process peak: the kernel saw it exactly
        else:
            peak = max(sampled, after, int(u.rss_before_mb * MB))
        u.peak_mb = peak / MB
        u.error = exc_type.__name__ if exc_type is not None else None
        if self._tracker is not None:
            self._tracker.take_snapshot(f"{u.label} end")
        if self._logger.isEnabledFor(self._level):
            self._logger.log(
                self._level,
                "memory %s: %.1f MB -> %.1f MB (%+.1f MB), peak %.1f MB, %.3f s%s",
                u.label,
                u.rss_before_mb,
                u.rss_after_mb,
                u.delta_mb,
                u.peak_mb,
                u.seconds,
                f", raised {u.error}" if u.error else "",
            )
        if self._on_result is not None:
            self._on_result(u)


def _line_profile_enabled(line_by_line: bool | None, config: Config | None) -> bool:
    if line_by_line is not None:
        return line_by_line
    if config is None:
        # Read at call time, so ENABLE_MEMORY_PROFILING set after import still counts.
        config = Config()
    return bool(config.enable_memory_profiling)


def _run_line_profiled(
    func: Callable[P, R],
    label: str,
    logger: logging.Logger,
    level: int,
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """Run ``func`` under memory-profiler's ``LineProfiler`` and log the table."""
    target = inspect.unwrap(func)
    code = getattr(target, "__code__", None)
    if code is None:
        logger.debug("memory %s: no Python code object to profile line by line", label)
        return func(*args, **kwargs)
    # Imported here: memory_profiler pulls in multiprocessing, pdb and asyncio.
    from memory_profiler import LineProfiler, show_results

    class FocusedLineProfiler(LineProfiler):  # type: ignore[misc]
        """memory-profiler's profiler, tracing lines only in the profiled function.

        ``LineProfiler`` returns its line tracer for *every* frame, so each line of every
        function called (our analyzer, the snapshot builder) costs a Python call; declining
        the local trace of frames we do not report keeps the rest of the program near full
        speed. With another tracer installed (coverage, a debugger) the original behaviour,
        which chains to it, is kept.
        """

        def trace_memory_usage(self, frame: Any, event: str, arg: Any) -> Any:
            if frame.f_code in self.code_map or self._original_trace_function is not None:
                return super().trace_memory_usage(frame, event, arg)
            return None

    profiler = FocusedLineProfiler(backend="psutil")
    profiler.code_map.add(code)
    try:
        with profiler:
            return func(*args, **kwargs)
    finally:
        out = io.StringIO()
        show_results(profiler, stream=out, precision=1)
        logger.log(level, "memory %s, line by line:\n%s", label, out.getvalue().rstrip())


@overload
def memory_profile(func: Callable[P, R], /) -> Callable[P, R]: ...


@overload
def memory_profile(
    *,
    label: str | None = None,
    tracker: MemoryTracker | None = None,
    config: Config | None = None,
    logger: logging.Logger | None = None,
    level: int = logging.INFO,
    sample_interval: float | None = DEFAULT_PROFILE_INTERVAL,
    line_by_line: bool | None = None,
    on_result: Callable[[MemoryUsage], None] | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def memory_profile(
    func: Callable[P, R] | None = None,
    /,
    *,
    label: str | None = None,
    tracker: MemoryTracker | None = None,
    config: Config | None = None,
    logger: logging.Logger | None = None,
    level: int = logging.INFO,
    sample_interval: float | None = DEFAULT_PROFILE_INTERVAL,
    line_by_line: bool | None = None,
    on_result: Callable[[MemoryUsage], None] | None = None,
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Log each call's memory: RSS before and after, the delta, the peak and the time.

    Works bare (``@memory_profile``) or with options (``@memory_profile(tracker=t)``). Output
    goes to logging (``customer_snapshot.memory.decorators`` unless ``logger`` is given),
    never to stdout.

    Args:
        func: the function, when used bare.
        label: what to call the call in the log and the tracker's snapshots (default: the
            function's qualified name).
        tracker: a :class:`MemoryTracker` that gets a snapshot at the start and the end of
            each call.
        config: where to read ``enable_memory_profiling``; by default a fresh ``Config()``
            at each call (so the environment variable counts when the call runs).
        logger: where to log.
        level: the logging level of the per-call lines and line-by-line tables.
        sample_interval: seconds between RSS samples during a call (a short-lived thread per
            call); ``None`` for no sampling (cheaper; the peak then comes from the start,
            end and kernel high-water-mark values).
        line_by_line: force the memory-profiler line-by-line table on or off; ``None``
            follows ``ENABLE_MEMORY_PROFILING``.
        on_result: called with each call's :class:`MemoryUsage` (e.g. to record metrics).

    Raises:
        ConfigError: (from a call) without ``config``/``line_by_line``, when the environment
            holds an invalid setting.
    """

    def decorate(f: Callable[P, R]) -> Callable[P, R]:
        name = label or getattr(f, "__qualname__", None) or repr(f)

        @functools.wraps(f)
        def profiled(*args: P.args, **kwargs: P.kwargs) -> R:
            lines = _line_profile_enabled(line_by_line, config)
            block = profile_block(
                name,
                tracker=tracker,
                logger=logger,
                level=level,
                sample_interval=sample_interval,
                on_result=on_result,
            )
            with block:
                if lines:
                    return _run_line_profiled(f, name, logger or log, level, *args, **kwargs)
                return f(*args, **kwargs)

        return profiled

    if func is not None:
        return decorate(func)
    return decorate


def iter_guarded(iterator: Iterator[R], limit: MemoryLimit) -> Iterator[R]:
    """Yield from ``iterator`` with ``limit`` active only while each item is produced.

    The consumer's own work between items is not under the limit.
    """
    while True:
        with limit:
            try:
                item = next(iterator)
            except StopIteration:
                return
        yield item
